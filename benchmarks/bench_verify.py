"""Benchmark what ``verify`` costs: the same text spoken by ``voicer synthesize`` with and
without ``--verify``, side by side.

With ``--verify`` every chunk is heard back by the default recognizer (Whisper base, int8, in
the command's own process, on as many threads as there are workers) while the worker processes
render the next chunks. For each
voice: wall time with verify off and on, the ratio, characters per second, and the mean word
error rate the chunks were heard with. The default text is 100,000 characters; a shorter one
(``--characters``) gives the same ratio, the cost scaling with the audio. The load average is
recorded with the figures: on a shared machine it says how far they can be trusted.

Prints a table and writes JSON to ``benchmarks/results/``.
Run: ``python -m benchmarks.bench_verify [--characters 100000] [--voices en-us-heart,en-us-espeak]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.report import save
from benchmarks.texts import prose


@dataclass
class Pair:
    voice: str
    characters: int
    chunks: int
    audio_seconds: float
    off_seconds: float  # wall time without --verify
    on_seconds: float  # and with it
    mean_wer: float  # of the chunks, as heard back

    @property
    def ratio(self) -> float:
        return self.on_seconds / self.off_seconds


def synthesize(source: Path, out: Path, voice: str, verify: bool, env: dict[str, str]) -> float:
    """Wall seconds ``voicer synthesize`` took."""
    command = [sys.executable, "-m", "voicer", "synthesize", str(source), "-o", str(out),
               "--voice", voice, *(["--verify"] if verify else [])]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{voice}: {done.stderr}")
    return time.perf_counter() - started


def measure(text: str, voice: str, folder: Path, env: dict[str, str]) -> Pair:
    source = folder / "text.txt"
    source.write_text(text, "utf-8")
    off = synthesize(source, folder / f"{voice}-off.zip", voice, False, env)
    on = synthesize(source, folder / f"{voice}-on.zip", voice, True, env)
    with zipfile.ZipFile(folder / f"{voice}-on.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    chunks = manifest["chunks"]
    mean = sum(chunk["word_error_rate"] for chunk in chunks) / len(chunks)
    return Pair(voice, len(text), len(chunks), manifest["duration_seconds"], off, on, mean)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--characters", type=int, default=100_000, help="of text to speak")
    parser.add_argument("--voices", default="en-us-heart,en-us-espeak", help="comma-separated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "VOICER_DATA_DIR": str(folder / "data")}
        warm = folder / "warm"
        warm.mkdir()
        measure("A short warm-up, which joins the model files once.", "en-us-espeak", warm, env)
        text = prose(args.characters)
        pairs = [measure(text, voice, folder, env) for voice in args.voices.split(",")]
    table = Table("voice", "characters", "chunks", "audio s", "verify off s", "verify on s",
                  "× time", "chars/s on", "mean WER",
                  title=f"voicer synthesize --verify (Whisper base, int8), {os.cpu_count()} cores")
    for pair in pairs:
        table.add_row(pair.voice, f"{pair.characters:,}", str(pair.chunks),
                      f"{pair.audio_seconds:,.0f}", f"{pair.off_seconds:,.1f}",
                      f"{pair.on_seconds:,.1f}", f"{pair.ratio:.2f}",
                      f"{pair.characters / pair.on_seconds:,.0f}", f"{pair.mean_wer:.1%}")
    console = Console()
    console.print(table)
    path = save("verify", {"python": platform.python_version(), "cpu_count": os.cpu_count(),
                           "load_average": os.getloadavg(),
                           "runs": [asdict(pair) | {"ratio": pair.ratio} for pair in pairs]})
    console.print(f"wrote {path}")


if __name__ == "__main__":
    main()
