"""A ``voicer serve`` for benchmarks: a temporary data directory, a free port, a user."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Running:
    url: str
    token: str
    pid: int


@contextmanager
def running_server(workers: int | None = None,
                   extra_env: dict[str, str] | None = None) -> Iterator[Running]:
    with tempfile.TemporaryDirectory() as data, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        env = {**os.environ, "VOICER_DATA_DIR": data, "VOICER_REQUESTS_PER_MINUTE": "1000000",
               "VOICER_BASIC_REQUESTS_PER_HOUR": "1000000"}
        if workers:
            env["VOICER_WORKERS"] = str(workers)
        env.update(extra_env or {})
        created = subprocess.run(
            [sys.executable, "-m", "voicer", "users", "create", "bench", "--characters",
             "100000000", "--json"], env=env, capture_output=True, text=True, check=True)
        token = json.loads(created.stdout)["token"]
        server = subprocess.Popen([sys.executable, "-m", "voicer", "serve", "--port", str(port)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url)
            yield Running(url, token, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")
