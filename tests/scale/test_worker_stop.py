"""A stopped worker ends within 30 seconds, even when its Redis and PostgreSQL have gone away:
idle, or in the middle of a book whose chunks it can no longer record."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.api.conftest import Server
from tests.servers import PostgresServer, RedisServer
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

STOP_WITHIN = 30.0  # seconds from SIGTERM to the last process of the worker's tree
PROCESSES = 2
BOOK = "\n\n".join(f"Chapter {n}. " + "The long road wound on through the quiet hills. " * 12
                   for n in range(40))


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A Redis of this test's own: the test stops it."""
    server = RedisServer.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL of this test's own: the test stops it."""
    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture
def env(tmp_path: Path, redis_server: RedisServer,
        postgres_server: PostgresServer) -> dict[str, str]:
    """What every node of the deployment gets."""
    shared = tmp_path / "shared"
    shared.mkdir()
    return {"VOICER_BROKER_URL": redis_server.url,
            "VOICER_DATABASE_URL": postgres_server.create_database(),
            "VOICER_STORAGE_URL": shared.as_uri(), "VOICER_WORKER_HEARTBEAT": "3"}


def _start_worker(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with (tmp_path / "worker.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "voicer", "worker", "--processes", str(PROCESSES),
             "--threads", "2"],
            env={**os.environ, "VOICER_DATA_DIR": str(tmp_path / "worker"), **env},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _set_up(worker: subprocess.Popen[bytes]) -> bool:
    """Every worker process has started its engine processes."""
    processes = psutil.Process(worker.pid).children()  # and multiprocessing's resource tracker
    return sum(1 for process in processes if process.children()) == PROCESSES


def _speaking(worker: subprocess.Popen[bytes]) -> bool:
    """An engine process is rendering a chunk, in a fork of its own."""
    return any(engine.children() for engine in
               psutil.Process(worker.pid).children(recursive=True))


def _under_way(tmp_path: Path, env: dict[str, str], worker: subprocess.Popen[bytes]) -> None:
    """A book submitted through an API node, its chunks being spoken by the worker."""
    api = Server(tmp_path / "api", env=env)
    api.start()
    try:
        headers = {"Authorization": f"Bearer {api.token(characters=1_000_000)}"}
        answer = httpx.post(f"{api.url}/api/v1/voice/synthesize", headers=headers, timeout=30,
                            json={"text": BOOK, "split_type": "paragraphs"})
        assert answer.status_code == 200, answer.text
        status = f"{api.url}/api/v1/voice/status/{answer.json()['task_id']}"
        wait_until(lambda: httpx.get(status, headers=headers).json()["chunks_completed"] >= 2,
                   timeout=120, what="the worker spoke chunks")
        wait_until(lambda: _speaking(worker), timeout=30, what="a chunk in flight", every=0.001)
    finally:
        api.stop()


def _running(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those still running (an exited process its parent never reaped is not)."""
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "mid-book"])
def test_a_worker_whose_broker_and_database_are_gone_stops_within_30_seconds(
        tmp_path: Path, env: dict[str, str], redis_server: RedisServer,
        postgres_server: PostgresServer, busy: bool) -> None:
    worker = _start_worker(tmp_path, env)
    log = tmp_path / "worker.log"
    try:
        wait_until(lambda: _set_up(worker), timeout=60, what="the worker processes started")
        if busy:
            _under_way(tmp_path, env, worker)
        tree = [psutil.Process(worker.pid), *psutil.Process(worker.pid).children(recursive=True)]
        redis_server.stop()
        postgres_server.stop()
        # every worker process has noticed, and is reconnecting
        wait_until(lambda: log.read_text(errors="replace").count("connection error") >= PROCESSES,
                   timeout=60, what="the worker processes lost the broker")

        os.killpg(worker.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_WITHIN
        try:
            worker.wait(timeout=STOP_WITHIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the worker still ran {STOP_WITHIN:g} s after SIGTERM; it said:\n"
                        f"{log.read_text(errors='replace')[-3000:]}")
        # none of its processes is left behind (a render fork may finish its chunk meanwhile)
        wait_until(lambda: not _running(tree), timeout=max(0.1, deadline - time.monotonic()),
                   what="every process of the worker's tree exited")
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
