"""Benchmark speech recognition through the real ``voicer transcribe`` command.

Speech is made by ``voicer synthesize`` (espeak-ng, Adam's voice) from English prose, then
recognised with the default model (Whisper base, int8) by 1 and by 2 worker processes. For each:
wall time, × realtime (audio seconds per wall second), peak memory (PSS) of the whole process
tree, and the word error rate against the text that was spoken. The load average is recorded
with the figures: on a shared machine it says how far they can be trusted.

Prints a table and writes JSON to ``benchmarks/results/``.
Run: ``python -m benchmarks.bench_stt [--minutes 60] [--workers 1,2]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

from benchmarks.bench_core import tree_memory
from benchmarks.report import save
from benchmarks.texts import prose
from voicer.recognition.wer import word_error_rate

VOICE = "pNInz6obpgDQGcFmaJgB"  # espeak-ng en-us m4: the voice Whisper base hears best
CHARACTERS_PER_MINUTE = 1_100  # espeak-ng at speed 1.0 on this prose: 8,992 characters in 489 s


@dataclass
class Run:
    name: str
    workers: int
    audio_seconds: float
    wall_seconds: float
    peak_pss_mb: float
    wer: float

    @property
    def realtime(self) -> float:
        return self.audio_seconds / self.wall_seconds


def speak(text: str, folder: Path, env: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    source, out = folder / "speech.txt", folder / "speech.mp3"
    source.write_text(text, "utf-8")
    subprocess.run([sys.executable, "-m", "voicer", "synthesize", str(source), "-o", str(out),
                    "--voice", VOICE], check=True, env=env, capture_output=True)
    return out


def transcribe(name: str, audio: Path, text: str, workers: int, folder: Path,
               env: dict[str, str]) -> Run:
    out = folder / f"{name}.json"
    command = [sys.executable, "-m", "voicer", "transcribe", str(audio), "-o", str(out),
               "--language", "en", "--workers", str(workers)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    watched = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        with contextlib.suppress(psutil.NoSuchProcess):
            peak = max(peak, tree_memory(watched)[0])
        time.sleep(0.2)
    wall = time.perf_counter() - started
    _, errors = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"{name} failed: {errors.decode()}")
    result = json.loads(out.read_text())
    return Run(name, workers, result["duration"], wall, peak / 2**20,
               word_error_rate(text, result["text"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="of speech to recognise")
    parser.add_argument("--workers", default="1,2", help="worker process counts to run, e.g. 2")
    args = parser.parse_args()
    counts = [int(count) for count in args.workers.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "VOICER_DATA_DIR": str(folder / "data")}
        text = prose(int(args.minutes * CHARACTERS_PER_MINUTE))
        audio = speak(text, folder, env)
        warm = speak("A short warm-up, which joins the model files once.", folder / "warm", env)
        transcribe("warm-up", warm, "", 1, folder, env)
        runs = [transcribe(f"{count} worker{'s' if count > 1 else ''}", audio, text, count,
                           folder, env) for count in counts]
    table = Table("run", "workers", "audio s", "wall s", "× realtime", "peak PSS MB", "WER",
                  title="voicer transcribe (Whisper base, int8, CPU)")
    for run in runs:
        table.add_row(run.name, str(run.workers), f"{run.audio_seconds:,.0f}",
                      f"{run.wall_seconds:,.1f}", f"{run.realtime:.1f}", f"{run.peak_pss_mb:.0f}",
                      f"{run.wer:.1%}")
    console = Console()
    console.print(table)
    path = save("stt", {"python": platform.python_version(), "minutes": args.minutes,
                        "cpu_count": os.cpu_count(), "load_average": os.getloadavg(),
                        "runs": [asdict(run) | {"realtime": run.realtime} for run in runs]})
    console.print(f"wrote {path}")


if __name__ == "__main__":
    main()
