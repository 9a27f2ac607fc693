"""Speech with known words and times, made by espeak-ng, for recognition tests."""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from voicer.models import LOCAL_ENGINE
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.pipeline.pool import WorkerPool
from voicer.recognition.clip import Clip, decode
from voicer.voice_settings import VoiceSettings
from voicer.voices import VoiceCatalogue

# Whisper base hears espeak-ng's voices speak PARAGRAPH with 1.6 % WER (Adam, m4), 3.3 %
# (George), 4.9 % (Josh), 8.2 % (Rachel: "cooked dinner" heard as "looked bitter").
# The premade ids are neural voices in a server; ``speak`` says them with their espeak-ng
# settings, which a neural voice keeps for the languages it does not speak.
ADAM = "pNInz6obpgDQGcFmaJgB"  # espeak-ng en-us, male variant m4
RACHEL = "21m00Tcm4TlvDq8ikWAM"  # espeak-ng en-us, female variant f3
PARAGRAPH = ("The weather was calm on the morning of the first day. We walked along the river "
             "and talked about the book we had read. Later that afternoon, the children played "
             "in the garden while their parents cooked dinner. In the evening we sat by the "
             "window and listened to the rain. Everyone agreed that it had been a very good day.")
# Two more, for measuring word times on more than one text (``benchmarks/bench_word_times.py``)
HARBOUR = ("A small boat drifted slowly toward the harbour as the sun went down. The old fisherman "
           "counted his nets and hummed a quiet song. Two gulls circled above the mast, waiting "
           "for scraps. When the lights of the village appeared, he smiled and reached for his "
           "coat. Tomorrow, he thought, the sea would be kinder.")
LIBRARY = ("Our library opens at nine o'clock every weekday and closes early on Saturday. "
           "Students often borrow books about history, science and music. Last winter the "
           "building was repaired after a storm damaged the roof. Since then, many more visitors "
           "have come to read, study and meet their friends in the new reading room.")
PARAGRAPHS = {"weather": PARAGRAPH, "harbour": HARBOUR, "library": LIBRARY}
# Whisper base names espeak-ng's Russian rightly only given several sentences: on one short
# sentence it says Polish, French or Hungarian; on these four (13 s), Russian for Ivan, Dmitry
# and Natalia, with probability 0.22-0.32 (and a poor transcript).
RUSSIAN = ("Старый смотритель маяка заметил тихую гавань на рассвете. Небольшая группа студентов "
           "принесла карту северных холмов. Наш сосед вспомнил каждую страницу доклада, хотя шёл "
           "дождь. Комиссия впервые за много лет расспросила о цене хлеба.")


@dataclass(frozen=True)
class Spoken:
    wav: bytes
    words: list[tuple[str, float]]  # each word and when the engine started it

    @property
    def clip(self) -> Clip:
        return decode(io.BytesIO(self.wav), 3600)


def speak(pool: WorkerPool, text: str, voice_id: str = ADAM) -> Spoken:
    """``text`` spoken by espeak-ng in a worker's fresh engine (the same audio every time,
    whatever was spoken before), with the engine's own word times."""
    voice = replace(VoiceCatalogue.bundled().get(voice_id), engine=LOCAL_ENGINE)  # its espeak-ng
    spec = RenderSpec(voice, VoiceSettings(), None)
    piece = next(pool.speak(spec, [ChunkJob(0, text, None, 0.0)]))
    rate = piece.audio.rate
    words = [(text[w.text_offset:w.text_offset + w.length], w.sample / rate) for w in piece.words]
    return Spoken(wav(piece.audio.samples, rate), words)


def synthesized(text: str, voice_id: str) -> bytes:
    """``text`` as WAV from ``voicer synthesize``, as a user makes it."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "speech.wav"
        subprocess.run([sys.executable, "-m", "voicer", "synthesize", "-", "-o", str(out),
                        "--format", "wav_22050", "--voice", voice_id], input=text.encode(),
                       check=True, capture_output=True, timeout=60)
        return out.read_bytes()


def wav(samples: np.ndarray, rate: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(samples.astype("<i2").tobytes())
    return out.getvalue()
