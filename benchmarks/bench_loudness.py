"""Benchmark what loudness normalization costs: each chunk rendered with it and without.

For each engine's voice, the same chunks (about 300 characters each) are spoken once and
encoded to MP3 twice in one worker's renderer: as spoken, and brought to -16 LUFS with the
true-peak limiter (measure, gain, limit, measure again). The CPU of speaking a chunk is the
same either way, so the ratio of (speaking + encoding) with and without is what a task pays.

Prints a table and writes JSON to ``benchmarks/results/``.
Run: ``python -m benchmarks.bench_loudness``.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.report import save
from benchmarks.texts import prose
from voicer.engines.registry import EngineRegistry
from voicer.loudness import LoudnessTarget
from voicer.pipeline.jobs import ChunkJob
from voicer.pipeline.plan import SynthesisOptions, render_spec
from voicer.pipeline.render import Renderer
from voicer.runtime import local_engines
from voicer.settings import Settings
from voicer.text import SplitType, split_text
from voicer.voices import VoiceCatalogue

VOICES = {"espeak-ng": "en-us-espeak", "hibari": "en-us-heart", "piper": "en-us-joe"}
CHARACTERS = 6_000


def measure(renderer: Renderer, voices: VoiceCatalogue, voice: str) -> dict[str, Any]:
    chunks = split_text(prose(CHARACTERS), SplitType.smart, 300)
    jobs = [ChunkJob(chunk.index, chunk.text, None, None) for chunk in chunks]
    spec = render_spec(SynthesisOptions(voice_id=voice, loudness=None), voices)
    on = replace(spec, loudness=LoudnessTarget())
    speaking = plain = normalized = audio = 0.0
    for job in jobs:
        renderer.prepare(spec, job)
        started = time.process_time()
        spoken = renderer.speak(spec, job)
        speaking += time.process_time() - started
        for which in (spec, on):
            started = time.process_time()
            rendered = renderer.encoder.encode(which, job, spoken.audio, spoken.words, 0.0)
            spent = time.process_time() - started
            if which is on:
                normalized += spent
            else:
                plain += spent
                audio += rendered.duration
    return {"voice": voice, "chunks": len(jobs), "audio_seconds": round(audio, 1),
            "speak_cpu": round(speaking, 2), "encode_cpu": round(plain, 2),
            "encode_with_loudness_cpu": round(normalized, 2),
            "loudness_x_realtime": round(audio / max(normalized - plain, 1e-9)),
            "task_cpu_ratio": round((speaking + normalized) / (speaking + plain), 3)}


def main() -> None:
    registry = EngineRegistry(local_engines(Settings()))
    renderer = Renderer(registry.workers().load())
    voices = VoiceCatalogue(registry.voices())
    rows = [measure(renderer, voices, voice) for voice in VOICES.values()]
    table = Table(title=f"Loudness to -16 LUFS, -1 dBTP: {CHARACTERS:,} characters per voice, MP3")
    for column in ("voice", "audio s", "speak CPU s", "encode CPU s", "with loudness",
                   "loudness × realtime", "task CPU on/off"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["voice"], str(row["audio_seconds"]), str(row["speak_cpu"]),
                      str(row["encode_cpu"]), str(row["encode_with_loudness_cpu"]),
                      str(row["loudness_x_realtime"]), str(row["task_cpu_ratio"]))
    Console().print(table)
    print(f"wrote {save('loudness', {'runs': rows})}")


if __name__ == "__main__":
    main()
