"""Benchmark an audiobook's memory: a 1,000,000-character Markdown book, planned into
chapters and chunks, then assembled into a merged MP3 (ID3 chapters) and an M4B.

The chunks' audio is a tone as long as speech of their text would be (~15 characters a
second), made once per length and handed to the output as stored chunks are, so what is
measured is planning and assembly, not speaking. The resident memory is sampled after every
tenth of the chunks: flat means the output is streamed, whatever the book's length.

Prints a table and writes JSON to ``benchmarks/results/``.
Run: ``python -m benchmarks.bench_audiobook [--hours-of-m4b 4]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from rich.console import Console
from rich.table import Table

from benchmarks.report import save
from benchmarks.texts import prose
from voicer.audio import Audio
from voicer.books import TextFormat
from voicer.encoding.formats import parse_task_format
from voicer.encoding.segments import segmenter
from voicer.language import LanguageDetector
from voicer.output import ChunkAudio
from voicer.pipeline.plan import Plan, SynthesisOptions, plan_document
from voicer.voices import VoiceCatalogue

CHARACTERS = 1_000_000
CHAPTERS = 40
SPOKEN_CHARACTERS_PER_SECOND = 15.0
MB = 2**20


def book(characters: int = CHARACTERS, chapters: int = CHAPTERS) -> str:
    """A Markdown book: a title and ``chapters`` chapters of prose, ``characters`` long."""
    size = characters // chapters - 20
    text = prose(size)
    parts = [f"## Chapter {number}\n\n{text[:size]}\n\n" for number in range(1, chapters + 1)]
    return f"# The Long Book\n\n{''.join(parts)}"[:characters]


def rss() -> float:
    return float(psutil.Process(os.getpid()).memory_info().rss) / MB


def assemble(plan: Plan, output_format: str, hours: float | None) -> dict[str, Any]:
    """Write the plan's chunks, as tones, into one output; RSS after every tenth of them."""
    fmt = parse_task_format(output_format)
    encode = segmenter(fmt)
    seconds = [len(chunk.text) / SPOKEN_CHARACTERS_PER_SECOND for chunk in plan.chunks]
    scale = 1.0 if hours is None else hours * 3600 / sum(seconds)
    made: dict[int, tuple[bytes, float]] = {}  # a segment per length, in whole seconds
    samples: list[float] = []
    total = 0.0
    with tempfile.TemporaryDirectory() as folder, open(Path(folder) / "book", "w+b") as file:
        started = time.perf_counter()
        with plan.output_file.open(file, plan.tags) as output:
            for chunk, length in zip(plan.chunks, seconds, strict=True):
                key = max(1, round(length * scale))
                if key not in made:
                    tone = np.sin(np.arange(key * fmt.rate) * 2 * np.pi * 220 / fmt.rate) * 8000
                    segment = encode.encode(Audio.mono(tone.astype(np.int16), fmt.rate), 1.0)
                    made[key] = (segment.data, segment.samples / fmt.rate)
                data, duration = made[key]
                total += duration
                output.add(ChunkAudio(chunk.index, chunk.text, chunk.start, data, duration, key, 1.0))
                if (chunk.index + 1) % max(1, len(plan.chunks) // 10) == 0:
                    samples.append(rss())
        elapsed = time.perf_counter() - started
        size = file.seek(0, os.SEEK_END)
    return {"format": output_format, "audio_hours": round(total / 3600, 2),
            "file_mb": round(size / MB, 1), "seconds": round(elapsed, 1),
            "rss_mb": [round(sample) for sample in samples],
            "rss_growth_mb": round(max(samples) - samples[0], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours-of-m4b", type=float, default=4.0,
                        help="the M4B's length (AAC encoding is the slow part); the MP3 is full length")
    args = parser.parse_args()
    text = book()
    before = rss()
    started = time.perf_counter()
    voices, detector = VoiceCatalogue.bundled(), LanguageDetector()
    options = SynthesisOptions(voice_id="en-us-espeak", text_format=TextFormat.markdown)
    plan = plan_document(text, options, voices, detector)
    planning = {"characters": len(text), "chapters": len(plan.tags.chapters) if plan.tags else 0,
                "chunks": len(plan.chunks), "seconds": round(time.perf_counter() - started, 1),
                "rss_growth_mb": round(rss() - before, 1)}
    runs = []
    for output_format, hours in (("mp3_44100_128", None), ("m4b_24000_64", args.hours_of_m4b)):
        in_format = options.model_copy(update={"output_format": output_format})
        runs.append(assemble(plan_document(text, in_format, voices, detector), output_format, hours))
    table = Table(title=f"A {len(text):,}-character book: {planning['chapters']} chapters, "
                        f"{planning['chunks']} chunks, planned in {planning['seconds']} s")
    for column in ("output", "audio h", "file MB", "s", "RSS MB each 10 %", "RSS growth MB"):
        table.add_column(column)
    for run in runs:
        table.add_row(run["format"], str(run["audio_hours"]), str(run["file_mb"]), str(run["seconds"]),
                      " ".join(map(str, run["rss_mb"])), str(run["rss_growth_mb"]))
    Console().print(table)
    print(f"wrote {save('audiobook', {'planning': planning, 'assembly': runs})}")


if __name__ == "__main__":
    main()
