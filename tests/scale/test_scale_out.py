"""Many machines, nothing lost: 2 API processes and 3 `voicer worker` processes on real
Redis and PostgreSQL, with workers killed and both API processes restarted mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest
import redis
from sqlalchemy import func, select

from tests.api.conftest import Server
from tests.audio_tools import decode
from voicer.db import Database
from voicer.db.tables import ChunkStatus, Task, TaskChunk

pytestmark = pytest.mark.slow

TASKS = 20
CHUNKS = 50
TEXT = " ".join(f"Part {n} of the book is read aloud right here." for n in range(CHUNKS))


@dataclass
class Cluster:
    root: Path
    env: dict[str, str]
    apis: list[Server] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_api(self, number: int) -> Server:
        server = Server(self.root / f"api{number}", env=self.env)
        server.start()
        return server

    def start_worker(self) -> subprocess.Popen[bytes]:
        with (self.root / "workers.log").open("ab") as log:  # every worker's, for a failure
            return subprocess.Popen(
                [sys.executable, "-m", "voicer", "worker", "--processes", "1", "--threads", "1"],
                env={**os.environ, "VOICER_DATA_DIR": str(self.root / "worker"), **self.env},
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def worker_troubles(self) -> str:
        """What the workers logged as going wrong."""
        log = self.root / "workers.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        return "\n".join(line for line in lines if "ERROR" in line or "WARNING" in line)[-3000:]

    def kill_worker(self, number: int) -> None:
        """``kill -9`` a worker and every process it started; start a new one in its place."""
        os.killpg(self.workers[number].pid, signal.SIGKILL)
        self.workers[number].wait()
        self.workers[number] = self.start_worker()

    def stop(self) -> None:
        for server in self.apis:
            server.stop()
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()


def _environment(tmp_path: Path, redis_url: str, postgres_url: str) -> dict[str, str]:
    shared = tmp_path / "shared"  # the storage every node mounts
    shared.mkdir()
    return {"VOICER_DATABASE_URL": postgres_url, "VOICER_BROKER_URL": f"{redis_url}/3",
           "VOICER_RATE_LIMIT_STORAGE": f"{redis_url}/4", "VOICER_STORAGE_URL": shared.as_uri(),
           "VOICER_WORKER_HEARTBEAT": "3", "VOICER_REQUESTS_PER_MINUTE": "100000",
           "VOICER_BASIC_REQUESTS_PER_HOUR": "100000"}


@pytest.fixture
def cluster(tmp_path: Path, redis_url: str, postgres_url: str) -> Iterator[Cluster]:
    running = Cluster(tmp_path, _environment(tmp_path, redis_url, postgres_url))
    try:
        running.apis = [running.start_api(0), running.start_api(1)]
        running.workers = [running.start_worker() for _ in range(3)]
        yield running
    finally:
        running.stop()


def _stuck(cluster: Cluster, database: Database, task_id: str) -> str:
    """What a task that did not finish was doing, for the failure message."""
    with database.session() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return (f"task {task_id}: {task.status}, {task.chunks_completed}/{task.chunks_total} "
                f"chunks, assembly claimed at {task.assembly_claimed_at}; the workers said:\n"
                f"{cluster.worker_troubles()}")


def test_twenty_tasks_survive_killed_workers_and_restarted_api_nodes(
        cluster: Cluster, database: Database) -> None:
    token = cluster.apis[0].token(characters=10_000_000)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"text": TEXT, "split_type": "sentences", "max_chunk_length": 60}
    accepted = []
    for number in range(TASKS):
        api = cluster.apis[number % 2]
        answer = httpx.post(f"{api.url}/api/v1/voice/synthesize", headers=headers, json=body,
                            timeout=30)
        assert answer.status_code == 200, answer.text
        accepted.append(answer.json()["task_id"])

    def chunks_done() -> int:
        with database.session() as session:
            return session.scalar(select(func.count()).select_from(TaskChunk)
                                  .where(TaskChunk.status == ChunkStatus.done)) or 0

    # kill -9 a worker three times while the chunks are being spoken
    for kill, at in enumerate((150, 400, 650)):
        _until(lambda at=at: chunks_done() >= at, timeout=240)
        cluster.kill_worker(kill % 3)
        if kill == 1:  # and restart both API processes, one killed outright
            cluster.apis[0].kill()
            cluster.apis[1].stop()
            cluster.apis = [cluster.start_api(0), cluster.start_api(1)]
    assert chunks_done() < TASKS * CHUNKS  # the kills happened during the run

    statuses = {}
    for task_id in accepted:
        statuses[task_id] = _until(
            lambda task_id=task_id: _finished(cluster, task_id, headers), timeout=300,
            why=lambda task_id=task_id: _stuck(cluster, database, task_id))
    assert {status["status"] for status in statuses.values()} == {"completed"}

    durations = []
    with database.session() as session:
        for task_id in accepted:
            task = session.get(Task, task_id)
            assert task is not None
            assert task.chunks_total == CHUNKS
            assert task.chunks_completed == CHUNKS  # each chunk counted once, redeliveries or not
            audio = httpx.get(f"{cluster.apis[1].url}/api/v1/voice/download/{task_id}",
                              headers=headers, timeout=60)
            assert audio.status_code == 200
            decoded = decode(audio.content)
            # the right length: what its chunks measured, so no chunk is missing or doubled
            assert decoded.duration == pytest.approx(task.audio_seconds, abs=0.06)
            durations.append(decoded.duration)
    # the same text is the same audio whichever workers spoke it, killed or not
    assert max(durations) - min(durations) < 0.03


def test_a_worker_stopped_by_its_service_manager_lets_its_chunks_finish(
        tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    """A service manager (systemd's default) stops a service with SIGTERM to every process of
    it, engine processes too: the chunks in flight finish, no task fails, and the next worker
    speaks the rest."""
    running = Cluster(tmp_path, _environment(tmp_path, redis_url, postgres_url))
    try:
        running.apis = [running.start_api(0)]
        running.workers = [running.start_worker()]
        api = running.apis[0]
        headers = {"Authorization": f"Bearer {api.token(characters=100_000)}"}
        text = "\n\n".join(f"Chapter {n}. " + "The long road wound on through the hills. " * 18
                            for n in range(20))
        task_id = httpx.post(f"{api.url}/api/v1/voice/synthesize", headers=headers, timeout=30,
                             json={"text": text, "split_type": "paragraphs"}).json()["task_id"]
        _until(lambda: _status(running, task_id, headers)["chunks_completed"] >= 3, timeout=120)
        # supervisor → worker process → engine process → the fork rendering a chunk
        _until(lambda: any(len(process.children()) for process in
                           psutil.Process(running.workers[0].pid).children(recursive=True)),
               timeout=60, every=0.001)
        os.killpg(running.workers[0].pid, signal.SIGTERM)
        running.workers[0].wait(timeout=60)
        stopped = _status(running, task_id, headers)
        assert (stopped["status"], stopped["error"]) == ("processing", None)
        assert stopped["chunks_completed"] < 20, "stopped mid-task"

        running.workers[0] = running.start_worker()
        finished = _until(lambda: _finished(running, task_id, headers), timeout=120)
        assert (finished["status"], finished["error"]) == ("completed", None)
        assert finished["chunks_completed"] == 20
    finally:
        running.stop()


def test_tasks_survive_a_broker_that_lost_its_data(
        tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    """Redis restarted without persistence: the queued chunks are gone, the tasks are not."""
    env = {**_environment(tmp_path, redis_url, postgres_url),
           "VOICER_BROKER_URL": f"{redis_url}/11", "VOICER_QUEUE_RECONCILE_SECONDS": "0.5"}
    running = Cluster(tmp_path, env)
    try:
        running.apis = [running.start_api(0)]
        api = running.apis[0]
        headers = {"Authorization": f"Bearer {api.token(characters=100_000)}"}
        body = {"text": TEXT, "split_type": "sentences", "max_chunk_length": 60}
        accepted = [httpx.post(f"{api.url}/api/v1/voice/synthesize", headers=headers, json=body,
                               timeout=30).json()["task_id"] for _ in range(2)]
        broker = redis.Redis.from_url(f"{redis_url}/11")
        _until(lambda: broker.llen("dramatiq:voicer-chunks") == 2 * CHUNKS, timeout=30)
        running.workers = [running.start_worker()]  # it speaks a few chunks of the first task
        _until(lambda: _status(running, accepted[0], headers)["chunks_completed"] >= 5,
               timeout=60)
        broker.flushdb()  # what a restart without persistence leaves
        broker.close()

        for task_id in accepted:
            finished = _until(lambda task_id=task_id: _finished(running, task_id, headers),
                              timeout=120)
            assert (finished["status"], finished["chunks_completed"]) == ("completed", CHUNKS)
    finally:
        running.stop()


def _status(cluster: Cluster, task_id: str, headers: dict[str, str]) -> dict:
    return httpx.get(f"{cluster.apis[0].url}/api/v1/voice/status/{task_id}", headers=headers,
                     timeout=10).json()


def _finished(cluster: Cluster, task_id: str, headers: dict[str, str]) -> dict | None:
    status = _status(cluster, task_id, headers)
    return status if status["status"] not in ("pending", "processing") else None


def _until(check, timeout: float, every: float = 0.2, why=lambda: ""):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"not done in {timeout} s {why()}")


def test_a_worker_on_sqlite_makes_its_data_directory(tmp_path: Path, redis_url: str) -> None:
    data = tmp_path / "not" / "made" / "yet"
    worker = subprocess.Popen(
        [sys.executable, "-m", "voicer", "worker", "--processes", "1"],
        env={**os.environ, "VOICER_DATA_DIR": str(data), "VOICER_BROKER_URL": f"{redis_url}/3"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _until(lambda: (data / "voicer.db").exists() or worker.poll() is not None, timeout=60)
        assert worker.poll() is None, "the worker ended"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        assert worker.wait(timeout=60) == 0


def test_a_worker_stops_under_a_burst_of_stop_signals(tmp_path: Path, redis_url: str) -> None:
    """A stop often brings several signals (to the group, then from the supervisor, then an
    impatient operator's): each must only hasten the stop, never deadlock it."""
    env = {**os.environ, "VOICER_DATA_DIR": str(tmp_path), "VOICER_BROKER_URL": f"{redis_url}/3"}
    for _ in range(3):
        worker = subprocess.Popen(
            [sys.executable, "-m", "voicer", "worker", "--processes", "1", "--threads", "2"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            # supervisor → worker process → its engine processes: the worker is set up
            _until(lambda worker=worker: any(
                process.children() for process in psutil.Process(worker.pid).children()),
                timeout=60, every=0.05)
            for _ in range(100):
                os.killpg(worker.pid, signal.SIGTERM)
            assert worker.wait(timeout=30) == 0
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
