"""Benchmark the core through the real ``voicer synthesize`` command.

Measures, side by side in one run:
- wall time of a 100,000-character text with 1 and with 2 worker processes;
- peak memory (PSS) of the whole process tree (CLI + workers) for a
  200,000-character text.

Prints a table and writes JSON to ``benchmarks/results/``.
Run: ``python -m benchmarks.bench_core``.
"""

from __future__ import annotations

import argparse
import contextlib
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

from benchmarks.report import save
from benchmarks.texts import prose


@dataclass
class Run:
    name: str
    characters: int
    workers: int
    wall_seconds: float
    peak_pss_mb: float
    peak_rss_mb: float  # pages shared between a worker and its forks counted in each
    audio_seconds: float

    @property
    def realtime(self) -> float:
        return self.audio_seconds / self.wall_seconds


def tree_memory(process: psutil.Process) -> tuple[int, int]:
    """PSS and RSS summed over the tree. PSS splits pages shared by forks among them."""
    pss = rss = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            info = member.memory_full_info()
            pss, rss = pss + info.pss, rss + info.rss
    return pss, rss


def synthesize(name: str, text: str, workers: int, folder: Path, watch_memory: bool) -> Run:
    """Run the CLI; sample the tree's memory only if asked, since sampling costs CPU."""
    source = folder / f"{name}.txt"
    source.write_text(text, "utf-8")
    out = folder / f"{name}.mp3"
    command = [sys.executable, "-m", "voicer", "synthesize", str(source), "-o", str(out),
               "--workers", str(workers)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched = psutil.Process(child.pid)
    peak = peak_rss = 0
    while child.poll() is None:
        if watch_memory:
            with contextlib.suppress(psutil.NoSuchProcess):
                pss, rss = tree_memory(watched)
                peak, peak_rss = max(peak, pss), max(peak_rss, rss)
        time.sleep(0.05)
    wall = time.perf_counter() - started
    _, errors = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"{name} failed: {errors.decode()}")
    audio = out.stat().st_size * 8 / 128_000  # constant bit rate
    out.unlink()
    return Run(name, len(text), workers, wall, peak / 2**20, peak_rss / 2**20, audio)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scaling-characters", type=int, default=100_000)
    parser.add_argument("--memory-characters", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scaling = prose(args.scaling_characters)
        runs = [
            synthesize("warm-up", prose(2_000), 2, folder, watch_memory=False),
            synthesize("1 worker", scaling, 1, folder, watch_memory=False),
            synthesize("2 workers", scaling, 2, folder, watch_memory=False),
            synthesize("memory", prose(args.memory_characters), 2, folder, watch_memory=True),
        ][1:]
    speedup = runs[0].wall_seconds / runs[1].wall_seconds
    table = Table("run", "characters", "workers", "wall s", "audio s", "× realtime", "peak PSS MB",
                  title="voicer synthesize (merged MP3, mp3_44100_128)")
    for run in runs:
        memory = f"{run.peak_pss_mb:.0f}" if run.peak_pss_mb else "-"
        table.add_row(run.name, f"{run.characters:,}", str(run.workers), f"{run.wall_seconds:.2f}",
                      f"{run.audio_seconds:,.0f}", f"{run.realtime:,.0f}", memory)
    console = Console()
    console.print(table)
    console.print(f"2 workers vs 1: {speedup:.2f}× faster; memory run peak RSS sum "
                  f"{runs[2].peak_rss_mb:.0f} MB (shared pages counted in every process)")
    path = save("core", {"python": platform.python_version(),
                         "runs": [asdict(run) | {"realtime": run.realtime} for run in runs],
                         "speedup_2_vs_1": speedup})
    console.print(f"wrote {path}")


if __name__ == "__main__":
    main()
