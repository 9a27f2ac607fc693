"""Scale-out throughput: one 200,000-character task spoken by 1, 2 and 3 `voicer worker`
processes on a real Redis broker, side by side in one run.

    python benchmarks/bench_scale.py [--characters 200000]

Prints a table and writes benchmarks/results/scale.json.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import RedisServer

from benchmarks.report import save
from benchmarks.server import running_server
from benchmarks.texts import prose


def one_run(text: str, workers: int, redis_url: str) -> float:
    with tempfile.TemporaryDirectory() as shared:
        # one machine: the nodes share a SQLite file and a storage directory
        shared_env = {"VOICER_BROKER_URL": redis_url,
                      "VOICER_DATABASE_URL": f"sqlite:///{shared}/voicer.db",
                      "VOICER_STORAGE_URL": Path(shared).as_uri()}
        with running_server(extra_env=shared_env) as server:
            env = {**os.environ, "VOICER_DATA_DIR": shared, **shared_env}
            started = [subprocess.Popen(
                [sys.executable, "-m", "voicer", "worker", "--processes", "1"], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                for _ in range(workers)]
            try:
                time.sleep(3)  # workers up before the clock starts
                return _timed_task(server.url, server.token, text)
            finally:
                for process in started:
                    os.killpg(process.pid, signal.SIGTERM)
                for process in started:
                    process.wait(timeout=60)


def _timed_task(url: str, token: str, text: str) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    began = time.perf_counter()
    task = httpx.post(f"{url}/api/v1/voice/synthesize", headers=headers, json={"text": text},
                      timeout=60).json()["task_id"]
    while True:
        status = httpx.get(f"{url}/api/v1/voice/status/{task}", headers=headers, timeout=10).json()
        if status["status"] == "completed":
            return time.perf_counter() - began
        if status["status"] == "failed":
            raise SystemExit(f"task failed: {status['error']}")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--characters", type=int, default=200_000)
    arguments = parser.parse_args()
    text = prose(arguments.characters)
    redis = RedisServer.start()
    try:
        seconds = {workers: one_run(text, workers, redis.url) for workers in (1, 2, 3)}
    finally:
        redis.stop()
    print(f"{'workers':>8} {'seconds':>9} {'chars/s':>9} {'vs 1':>6}")
    for workers, took in seconds.items():
        print(f"{workers:>8} {took:>9.1f} {len(text) / took:>9.0f} {seconds[1] / took:>5.2f}×")
    save("scale", {"characters": len(text), "cores": os.cpu_count(),
                   "runs": [{"workers": w, "seconds": round(s, 2),
                             "characters_per_second": round(len(text) / s)}
                            for w, s in seconds.items()]})


if __name__ == "__main__":
    main()
