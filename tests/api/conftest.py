"""Two ways to reach the API: the real app in-process, and a real server on a free port."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.servers import free_port
from tests.waiting import wait_until
from voicer import accounts
from voicer.accounts import RatePlan
from voicer.api import create_app
from voicer.api.services import Services
from voicer.engines import EngineFactory
from voicer.engines.registry import LocalEngine
from voicer.pipeline.pool import default_engine
from voicer.settings import Settings


@dataclass
class Api:
    client: TestClient
    services: Services

    def user(self, characters: int = 100_000, plan: RatePlan = RatePlan.basic) -> dict[str, str]:
        """A new user; returns the headers that authenticate as them."""
        with self.services.database.session() as session:
            user = accounts.create_user(session, f"user-{time.monotonic_ns()}", characters, plan)
            new = accounts.create_token(session, user)
            session.commit()
        return {"Authorization": f"Bearer {new.token}"}

    def wait(self, task_id: str, headers: dict[str, str], timeout: float = 60) -> dict:
        return task_ended(lambda: self.client.get(f"/api/v1/voice/status/{task_id}",
                                                  headers=headers).json(), timeout)


def task_ended(status: Callable[[], dict], timeout: float = 60) -> dict:
    """Look at a task's status until it is no longer pending or processing; its last status."""
    def ended() -> dict | None:
        now = status()
        return now if now["status"] not in ("pending", "processing") else None

    return wait_until(ended, timeout, "the task ended", every=0.1)


def make_api(tmp_path: Path, engine: EngineFactory = default_engine,
             engines: Sequence[LocalEngine] = (), **overrides: object) -> Iterator[Api]:
    settings = Settings(data_dir=tmp_path, workers=2, **overrides)  # type: ignore[arg-type]
    with TestClient(create_app(settings, engine, engines),
                    raise_server_exceptions=False) as client:
        yield Api(client, client.app.state.services)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("api"), requests_per_minute=10_000)


@dataclass
class Server:
    """``voicer serve`` in a subprocess, as a user starts it."""

    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    scheme: str = "http"
    extra_args: list[str] = field(default_factory=list)
    verify: ssl.SSLContext | bool = True

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        return {**os.environ, "VOICER_DATA_DIR": str(self.data_dir), "VOICER_WORKERS": "2",
                **self.env}

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "voicer", "serve", "--port", str(self.port), *self.extra_args],
            env=self.environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # a process group of its own, as a terminal gives it
        )
        wait_until(lambda: httpx.get(f"{self.url}/health", timeout=1,
                                     verify=self.verify).status_code == 200,
                   60, "voicer serve answering /health", every=0.1, not_yet=(httpx.TransportError,))

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def interrupt(self) -> None:
        """Ctrl-C in the terminal that started it: SIGINT to every process of its group."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=60)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def token(self, characters: int = 100_000, plan: str = "basic") -> str:
        """A new user's token, made the way the README says: ``voicer users create``."""
        done = subprocess.run(
            [sys.executable, "-m", "voicer", "users", "create", f"user-{time.monotonic_ns()}",
             "--characters", str(characters), "--plan", plan, "--json"],
            env=self.environment(), capture_output=True, text=True, check=True,
        )
        return str(json.loads(done.stdout)["token"])


def check_quota_is_never_overdrawn(server: Server) -> None:
    """50 concurrent submits of 100 characters against a 1,000-character quota: 10 accepted."""
    headers = {"Authorization": f"Bearer {server.token(characters=1_000)}"}
    text = "x" * 99 + "."

    def submit(_: int) -> int:
        return httpx.post(f"{server.url}/api/v1/voice/synthesize", headers=headers,
                          json={"text": text}, timeout=60).status_code

    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(submit, range(50)))
    assert codes.count(200) == 10 and codes.count(403) == 40
    stats = httpx.get(f"{server.url}/api/v1/user/stats", headers=headers).json()
    assert stats["remaining_characters"] == 0 and stats["total_tasks"] == 10


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("server"))
    running.start()
    yield running
    running.stop()


ServerFactory = Callable[..., Server]
