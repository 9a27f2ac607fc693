"""Chunk work as a job queue delivers it: at least once, sometimes twice at the same time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.api.conftest import make_api
from tests.audio_tools import decode
from voicer.db.models import Task
from voicer.pipeline.workers import WorkerPool
from voicer.tasks.execute import TaskExecutor
from voicer.tasks.throughput import ThroughputMeter

TEXT = "The first part is here. The second part follows it. The third part ends the story."


def test_a_chunk_delivered_twice_is_spoken_and_counted_once(
        tmp_path: Path, redis_url: str, pool: WorkerPool) -> None:
    # with a broker the API only enqueues: nothing speaks until a worker takes a message
    for api in make_api(tmp_path, broker_url=f"{redis_url}/8"):
        headers = api.user()
        answer = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
            "text": TEXT, "split_type": "sentences", "max_chunk_length": 50})
        task_id = answer.json()["task_id"]
        services = api.services
        executor = TaskExecutor(services.database, services.storage, {"espeak-ng": pool},
                                services.planner.voices, ThroughputMeter(1.0), services.metrics)

        executor.run_chunk(task_id, 0)
        executor.run_chunk(task_id, 0)  # redelivered after it was done
        with WorkerPool(1) as other:  # delivered twice at once, to two workers
            twin = TaskExecutor(services.database, services.storage, {"espeak-ng": other},
                                services.planner.voices, ThroughputMeter(1.0), services.metrics)
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
