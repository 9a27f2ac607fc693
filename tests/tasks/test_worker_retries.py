"""A chunk whose work raises (storage full, database away) under `voicer worker`: it is tried
again a bounded number of times, then its task fails with the reason; never stuck."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Api, make_api
from tests.queue_worker import consuming
from voicer.settings import Settings
from voicer.tasks.queue import ACTOR
from voicer.tasks.worker import ChunkWorker

TEXT = "The first part is here. The second part follows it. The third part ends the story."


@pytest.fixture
def cluster(tmp_path: Path, redis_url: str) -> Iterator[tuple[Api, ChunkWorker]]:
    """An API node and one worker process's worth of chunk workers, on one broker."""
    broker_url = f"{redis_url}/14"
    for api in make_api(tmp_path, broker_url=broker_url, requests_per_minute=10_000,
                        basic_requests_per_hour=100_000):
        worker = ChunkWorker(Settings(data_dir=tmp_path, broker_url=broker_url))
        # retried quickly here: the schedule, not its length, is under test
        worker.broker.get_actor(ACTOR).options.update(min_backoff=50, max_backoff=100)
        with consuming(worker):
            yield api, worker


def _failing_storage(worker: ChunkWorker, monkeypatch: pytest.MonkeyPatch,
                     failures: int) -> list[int]:
    """The worker's storage refuses its first ``failures`` chunk writes; the attempts made."""
    attempts: list[int] = []
    put_chunk = worker.storage.put_chunk

    def put(task_id: str, index: int, data: bytes) -> None:
        attempts.append(index)
        if len(attempts) <= failures:
            raise OSError(28, "No space left on device")
        put_chunk(task_id, index, data)

    monkeypatch.setattr(worker.storage, "put_chunk", put)
    return attempts


def test_a_chunk_that_failed_is_tried_again(
        cluster: tuple[Api, ChunkWorker], monkeypatch: pytest.MonkeyPatch) -> None:
    api, worker = cluster
    attempts = _failing_storage(worker, monkeypatch, failures=2)
    headers = api.user()
    task_id = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": TEXT, "split_type": "sentences", "max_chunk_length": 50}).json()["task_id"]
    status = api.wait(task_id, headers)
    assert (status["status"], status["chunks_completed"]) == ("completed", 3)
    assert len(attempts) == 5 and sorted(set(attempts)) == [0, 1, 2]


def test_a_chunk_that_always_fails_fails_its_task_with_the_reason(
        cluster: tuple[Api, ChunkWorker], monkeypatch: pytest.MonkeyPatch) -> None:
    api, worker = cluster
    worker.broker.get_actor(ACTOR).options["max_retries"] = 2
    attempts = _failing_storage(worker, monkeypatch, failures=1_000)
    headers = api.user(characters=1_000)
    task_id = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": TEXT, "split_type": "sentences", "max_chunk_length": 50}).json()["task_id"]
    status = api.wait(task_id, headers)
    assert status["status"] == "failed"
    assert "OSError" not in status["error"]
    assert "failed 3 times; the last error: [Errno 28] No space left on device" in (
        status["error"])
    assert api.client.get("/api/v1/user/stats", headers=headers).json()[
        "remaining_characters"] == 1_000  # nothing was spoken: everything given back
    assert 3 <= len(attempts) <= 9  # each chunk tried at most three times
