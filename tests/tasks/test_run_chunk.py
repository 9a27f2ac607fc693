"""Chunk work as a job queue delivers it: at least once, sometimes twice at the same time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from dramatiq.common import dq_name
from sqlalchemy import update

from tests.api.conftest import Api, make_api
from tests.audio_tools import decode
from voicer.api.services import Services
from voicer.db.tables import Task, utcnow
from voicer.pipeline.pool import WorkerPool
from voicer.settings import Settings
from voicer.tasks.execute import ASSEMBLY_LEASE, TaskExecutor
from voicer.tasks.queue import QUEUE
from voicer.tasks.throughput import ThroughputMeter
from voicer.tasks.worker import ChunkWorker

TEXT = "The first part is here. The second part follows it. The third part ends the story."
VOICE = "en-us-espeak"  # the shared pool speaks espeak-ng


def test_a_chunk_delivered_twice_is_spoken_and_counted_once(
        tmp_path: Path, redis_url: str, pool: WorkerPool) -> None:
    # with a broker the API only enqueues: nothing speaks until a worker takes a message
    for api in make_api(tmp_path, broker_url=f"{redis_url}/8"):
        headers = api.user()
        answer = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
            "text": TEXT, "split_type": "sentences", "max_chunk_length": 50, "voice_id": VOICE})
        task_id = answer.json()["task_id"]
        services = api.services
        executor = TaskExecutor(services.database, services.storage, {"espeak-ng": pool},
                                services.planner.voices, ThroughputMeter({}), services.metrics)

        executor.run_chunk(task_id, 0)
        executor.run_chunk(task_id, 0)  # redelivered after it was done
        with WorkerPool(1) as other:  # delivered twice at once, to two workers
            twin = TaskExecutor(services.database, services.storage, {"espeak-ng": other},
                                services.planner.voices, ThroughputMeter({}), services.metrics)
            with ThreadPoolExecutor(2) as threads:
                list(threads.map(TaskExecutor.run_chunk, (executor, twin), [task_id] * 2, [1] * 2))
        with services.database.session() as session:
            task = session.get(Task, task_id)
            assert task is not None and task.status == "processing"
            assert task.chunks_completed == 2
        executor.run_chunk(task_id, 2)  # the last: its worker assembles
        with services.database.session() as session:
            task = session.get(Task, task_id)
            assert task is not None and task.status == "completed"
            completed_at, seconds = task.completed_at, task.audio_seconds
            assert task.chunks_completed == 3
        executor.run_chunk(task_id, 2)  # a late redelivery changes nothing
        with services.database.session() as session:
            task = session.get(Task, task_id)
            assert task is not None and task.completed_at == completed_at
        audio = api.client.get(f"/api/v1/voice/download/{task_id}", headers=headers)
        assert abs(decode(audio.content).duration - seconds) < 0.06


def _claim(services: Services, task_id: str, at: datetime) -> None:
    """A worker claimed the task's assembly at ``at`` (and, say, died)."""
    with services.database.session() as session:
        session.execute(update(Task).where(Task.id == task_id).values(assembly_claimed_at=at))
        session.commit()


def test_a_worker_that_died_assembling_leaves_the_task_to_the_next_delivery(
        tmp_path: Path, redis_url: str, pool: WorkerPool) -> None:
    for api in make_api(tmp_path, broker_url=f"{redis_url}/9"):
        headers = api.user()
        task_id = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
            "text": TEXT, "split_type": "sentences", "max_chunk_length": 50,
            "voice_id": VOICE}).json()["task_id"]
        services = api.services
        executor = TaskExecutor(services.database, services.storage, {"espeak-ng": pool},
                                services.planner.voices, ThroughputMeter({}), services.metrics)
        assert executor.run_chunk(task_id, 0) is None  # more chunks to come: nothing to look at
        assert executor.run_chunk(task_id, 1) is None
        _claim(services, task_id, utcnow())  # a worker claims the assembly…
        assert executor.run_chunk(task_id, 2) is None  # …as the last chunk is recorded
        # and dies assembling: its message comes again, finds the claim taken, and comes back
        # once the claim, no longer renewed, has expired
        again = executor.run_chunk(task_id, 2)
        lease = ASSEMBLY_LEASE.total_seconds()
        assert again is not None and lease - 1 < again <= lease + 1
        assert api.client.get(f"/api/v1/voice/status/{task_id}",
                              headers=headers).json()["status"] == "processing"

        _claim(services, task_id, utcnow() - ASSEMBLY_LEASE - timedelta(seconds=1))
        assert executor.run_chunk(task_id, 2) is None  # that delivery, back once it expired
        status = api.client.get(f"/api/v1/voice/status/{task_id}", headers=headers).json()
        assert (status["status"], status["chunks_completed"]) == ("completed", 3)
        audio = api.client.get(f"/api/v1/voice/download/{task_id}", headers=headers)
        assert abs(decode(audio.content).duration - status["audio_duration_seconds"]) < 0.06


def test_the_worker_sends_the_chunk_again_when_the_claim_expires(
        tmp_path: Path, redis_url: str) -> None:
    broker_url = f"{redis_url}/10"
    for api in make_api(tmp_path, broker_url=broker_url):
        headers = api.user()
        task_id = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
            "text": TEXT, "split_type": "sentences", "max_chunk_length": 50,
            "voice_id": VOICE}).json()["task_id"]
        worker = ChunkWorker(Settings(data_dir=tmp_path, broker_url=broker_url,
                                      worker_heartbeat=5))
        try:
            worker.speak_chunk(task_id, 0)
            worker.speak_chunk(task_id, 1)
            _claim(api.services, task_id, utcnow())
            worker.speak_chunk(task_id, 2)
            worker.speak_chunk(task_id, 2)  # delivered again: the claim's holder may be dead
            delayed = worker.broker.consume(dq_name(QUEUE), prefetch=1, timeout=5_000)
            message = next(delayed)
            assert message is not None and message.args == (task_id, 2)
            eta = message.options["eta"] / 1000 - time.time()
            assert 4 < eta <= 6  # a claim lasts as long as a silent worker is presumed alive
            delayed.ack(message)
            delayed.close()
        finally:
            worker.close()



def _claimed_at(services: Services, task_id: str) -> datetime | None:
    with services.database.session() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task.assembly_claimed_at


@pytest.fixture
def queued_api(tmp_path: Path, redis_url: str) -> Iterator[Api]:
    """The API with a broker: it only enqueues, so nothing speaks but what the test runs."""
    yield from make_api(tmp_path, broker_url=f"{redis_url}/15")


def test_an_assembly_longer_than_the_lease_keeps_its_claim(
        queued_api: Api, pool: WorkerPool, monkeypatch: pytest.MonkeyPatch) -> None:
    api = queued_api
    headers = api.user()
    task_id = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": TEXT, "split_type": "sentences", "max_chunk_length": 50,
        "voice_id": VOICE}).json()["task_id"]
    services = api.services
    lease = timedelta(seconds=1.0)

    def executor(engine: WorkerPool) -> TaskExecutor:
        return TaskExecutor(services.database, services.storage, {"espeak-ng": engine},
                            services.planner.voices, ThroughputMeter({}), services.metrics,
                            assembly_lease=lease)

    first = executor(pool)
    first.run_chunk(task_id, 0)
    first.run_chunk(task_id, 1)
    read_chunk = services.storage.read_chunk

    def slowly(task: str, index: int) -> bytes:
        time.sleep(1.0)  # three chunks: the assembly takes three leases
        return read_chunk(task, index)

    monkeypatch.setattr(services.storage, "read_chunk", slowly)
    with ThreadPoolExecutor(1) as thread:
        assembling = thread.submit(first.run_chunk, task_id, 2)
        while _claimed_at(services, task_id) is None:
            time.sleep(0.02)
        time.sleep(2.0)  # the claim was made longer ago than the lease…
        # …but is renewed while the assembly goes on: another delivery leaves it alone
        with WorkerPool(1) as other:
            again = executor(other).run_chunk(task_id, 2)
        assert again is not None and 0 < again <= lease.total_seconds() + 1
        assert assembling.result() is None
    status = api.client.get(f"/api/v1/voice/status/{task_id}", headers=headers).json()
    assert (status["status"], status["chunks_completed"]) == ("completed", 3)
