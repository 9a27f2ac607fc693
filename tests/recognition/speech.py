"""Speech with known words and times, made by espeak-ng, for recognition tests."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np

from voicer.engines.espeak import EspeakEngine
from voicer.recognition.clip import Clip, decode
from voicer.voice_settings import VoiceSettings
from voicer.voices import VoiceCatalogue

# Whisper base hears espeak-ng's voices with 0-8 % WER on PARAGRAPH: Adam (m4) 0 %, George
# and Arnold 2.6 %, Rachel and Josh 7.9 % ("cooked dinner" heard as "looked bitter").
ADAM = "pNInz6obpgDQGcFmaJgB"  # espeak-ng en-us, male variant m4
RACHEL = "21m00Tcm4TlvDq8ikWAM"  # espeak-ng en-us, female variant f3
PARAGRAPH = ("The weather was calm on the morning of the first day. We walked along the river "
             "and talked about the book we had read. Later that afternoon, the children played "
             "in the garden while their parents cooked dinner.")
RUSSIAN = "Сегодня хорошая погода, и мы пойдём гулять в парк."


@dataclass(frozen=True)
class Spoken:
    wav: bytes
    words: list[tuple[str, float]]  # each word and when the engine started it

    @property
    def clip(self) -> Clip:
        return decode(io.BytesIO(self.wav), 3600)


def speak(engine: EspeakEngine, text: str, voice_id: str = ADAM,
          language: str | None = None) -> Spoken:
    voice = VoiceCatalogue.bundled().get(voice_id)
    pieces = list(engine.synthesize(text, voice, VoiceSettings(), language))
    rate = pieces[0].audio.rate
    samples = np.concatenate([piece.samples for piece in pieces])
    words = [(text[w.text_offset:w.text_offset + w.length], w.sample / rate)
             for piece in pieces for w in piece.words]
    return Spoken(wav(samples, rate), words)


def wav(samples: np.ndarray, rate: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(samples.astype("<i2").tobytes())
    return out.getvalue()
