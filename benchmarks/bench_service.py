"""Long jobs through the running service, against the hardware limit, with the API under load.

For 100,000 and 1,000,000 characters (embedded default, merged MP3, mp3_44100_128):
wall time, audio seconds, realtime factor, the limit L measured directly on the
same chunks, job / L, and the peak memory of the whole process tree. Then a third,
200,000-character job runs while 200 concurrent clients poll its status with wrk
(Debian package ``wrk``), and the latency percentiles and request rate are recorded.

Prints a table and writes JSON to ``benchmarks/results/``.
Run: ``python -m benchmarks.bench_service [--sizes 100000 1000000]``.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import subprocess
import threading
import time
from typing import Any

import httpx
import psutil
from rich.console import Console
from rich.table import Table

from benchmarks import limit
from benchmarks.report import save
from benchmarks.server import running_server
from benchmarks.texts import prose
from voicer.text import SplitType, split_text


class MemoryWatch(threading.Thread):
    """Samples the PSS and RSS sums of a process tree until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak_pss = self.peak_rss = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            pss = rss = 0
            for member in [self.root, *self.root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    info = member.memory_full_info()
                    pss, rss = pss + info.pss, rss + info.rss
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process tree so far, reaped children (a worker's forks) included."""
    root = psutil.Process(pid)
    total = 0.0
    for member in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            times = member.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


def wrk(url: str, token: str, seconds: int = 10) -> dict[str, float | str]:
    done = subprocess.run(["wrk", "-t2", "-c200", f"-d{seconds}s", "--latency",
                           "-H", f"Authorization: Bearer {token}", url],
                          capture_output=True, text=True, check=True).stdout
    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", done, re.M)
        assert match, done
        value, unit = float(match[1]), match[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done)[1])  # type: ignore[index]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done)
    return {"p50_ms": ms("50"), "p99_ms": ms("99"), "requests_per_s": rate,
            "errors": float(errors[1]) if errors else 0.0, "tool": "wrk"}


def run_job(server: Any, characters: int, load: bool, loudness: str | None = None) -> dict[str, Any]:
    text = prose(characters)
    headers = {"Authorization": f"Bearer {server.token}"}
    watch = MemoryWatch(server.pid)
    watch.start()
    with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
        cpu_before = tree_cpu(server.pid)
        started = time.perf_counter()
        body = {"text": text, **({"loudness": loudness} if loudness else {})}
        task = client.post("/api/v1/voice/synthesize", json=body).json()
        status_url = f"{server.url}/api/v1/voice/status/{task['task_id']}"
        polled = wrk(status_url, server.token) if load else None
        while (status := client.get(status_url).json())["status"] in ("pending", "processing"):
            time.sleep(0.2)
        wall = time.perf_counter() - started
        cpu = tree_cpu(server.pid) - cpu_before
    watch.stopping.set()
    watch.join()
    assert status["status"] == "completed", status
    chunks = [c.text for c in split_text(text, SplitType.smart, 2_000)]
    bound = limit.measure(chunks)
    audio = status["audio_duration_seconds"]
    return {"characters": len(text), "loudness": loudness or "default (-16 LUFS)",
            "chunks": task["chunks_count"], "wall_s": wall,
            "audio_s": audio, "realtime": audio / wall, **bound, "job_over_limit": wall /
            bound["limit_s"], "peak_pss_mb": watch.peak_pss / 2**20,
            "peak_rss_mb": watch.peak_rss / 2**20, "status_poll": polled,
            # what the service spent beyond L's CPU: unlike wall / L, load from others leaves it be
            "service_cpu_s": cpu, "cpu_over_limit": cpu / (bound["limit_s"] * bound["cores"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--loudness", nargs="+", default=[""],
                        help="the tasks' loudness, each in turn ('off', a preset, LUFS); "
                             "default: the service's default")
    args = parser.parse_args()
    with running_server() as server:
        runs = [run_job(server, size, load=False, loudness=loudness or None)
                for loudness in args.loudness for size in args.sizes]
        if shutil.which("wrk"):
            runs.append(run_job(server, 200_000, load=True))
    table = Table("characters", "loudness", "wall s", "audio s", "× realtime", "L s", "job / L",
                  "service CPU / L CPU", "peak PSS MB", "peak RSS MB",
                  title="Long jobs through the service (2 workers)")
    for run in runs:
        table.add_row(f"{run['characters']:,}", run["loudness"], f"{run['wall_s']:.1f}",
                      f"{run['audio_s']:,.0f}",
                      f"{run['realtime']:.0f}", f"{run['limit_s']:.1f}",
                      f"{run['job_over_limit']:.2f}", f"{run['cpu_over_limit']:.2f}",
                      f"{run['peak_pss_mb']:.0f}", f"{run['peak_rss_mb']:.0f}")
    console = Console()
    console.print(table)
    for run in runs:
        if run["status_poll"]:
            poll = run["status_poll"]
            console.print(f"status poll under load (200 clients, during the "
                          f"{run['characters']:,}-character job): p50 {poll['p50_ms']:.1f} ms, "
                          f"p99 {poll['p99_ms']:.1f} ms, {poll['requests_per_s']:,.0f} requests/s")
    console.print(f"wrote {save('service', {'runs': runs})}")


if __name__ == "__main__":
    main()
