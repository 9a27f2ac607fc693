"""Recognition tasks on the job queue: with a broker, the pieces of a ``/v1/stt`` task are heard
by ``voicer worker`` processes, not by the API node, and a worker killed mid-task loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Api, make_api
from tests.queue_worker import consuming
from tests.recognition.speech import PARAGRAPH, speak
from tests.waiting import wait_until
from voicer.pipeline.pool import WorkerPool
from voicer.recognition.wer import word_error_rate
from voicer.settings import Settings
from voicer.tasks.worker import ChunkWorker


def queued_api(tmp_path: Path, broker_url: str, whisper_dir: Path) -> Iterator[Api]:
    yield from make_api(tmp_path, broker_url=broker_url, stt_model=str(whisper_dir),
                        requests_per_minute=10_000, basic_requests_per_hour=100_000)


def submit(api: Api, headers: dict[str, str], audio: bytes) -> dict:
    answer = api.client.post("/v1/stt", headers=headers,
                             files={"file": ("long.wav", audio, "audio/wav")})
    assert answer.status_code == 200, answer.text
    return answer.json()


def ended(api: Api, headers: dict[str, str], task_id: str, timeout: float) -> dict:
    def done() -> dict | None:
        status = api.client.get(f"/v1/stt/{task_id}", headers=headers).json()
        return status if status["status"] not in ("pending", "processing") else None

    return wait_until(done, timeout, "the stt task ended", every=0.5)


@pytest.fixture
def cluster(tmp_path: Path, redis_url: str, whisper_dir: Path) -> Iterator[Api]:
    """An API node that only enqueues, and one worker process's worth of workers."""
    broker_url = f"{redis_url}/1"
    for api in queued_api(tmp_path, broker_url, whisper_dir):
        with consuming(ChunkWorker(Settings(data_dir=tmp_path, broker_url=broker_url,
                                            stt_model=str(whisper_dir)))):
            yield api


def test_a_recognition_task_is_heard_on_a_worker(cluster: Api, pool: WorkerPool) -> None:
    api = cluster
    headers = api.user(characters=10_000)
    text = " ".join([PARAGRAPH] * 3)  # about 50 s: two pieces
    task = submit(api, headers, speak(pool, text).wav)
    status = ended(api, headers, task["task_id"], 180)
    assert status["status"] == "succeeded" and status["progress"] == 100
    assert status["language"] == "en"
    result = api.client.get(f"/v1/stt/{task['task_id']}/result", headers=headers).json()
    assert word_error_rate(text, result["text"]) <= 0.1
    starts = [segment["start"] for segment in result["segments"]]
    assert starts == sorted(starts) and result["segments"][-1]["end"] > 40
    # the API node's own recognition processes were never started: a worker heard it all
    assert api.services.stt.recognizer._pool is None
    assert not list(api.services.settings.data_dir.rglob(f"*{task['task_id']}*"))


@pytest.mark.slow
def test_a_worker_killed_mid_task_does_not_lose_it(
        tmp_path: Path, redis_url: str, whisper_dir: Path, pool: WorkerPool) -> None:
    broker_url = f"{redis_url}/1"
    env = {**os.environ, "VOICER_DATA_DIR": str(tmp_path), "VOICER_BROKER_URL": broker_url,
           "VOICER_STT_MODEL": str(whisper_dir), "VOICER_WORKER_HEARTBEAT": "3"}

    def start_worker() -> subprocess.Popen[bytes]:
        with (tmp_path / "workers.log").open("ab") as log:
            return subprocess.Popen([sys.executable, "-m", "voicer", "worker", "--processes",
                                     "1", "--threads", "1"], env=env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)

    apis = queued_api(tmp_path, broker_url, whisper_dir)
    api = next(apis)
    worker = start_worker()
    try:
        headers = api.user(characters=10_000)
        text = " ".join([PARAGRAPH] * 6)  # about 100 s: four pieces
        task = submit(api, headers, speak(pool, text).wav)
        wait_until(lambda: api.client.get(f"/v1/stt/{task['task_id']}", headers=headers)
                   .json()["progress"] > 1, 180, "a piece heard", every=0.2)
        os.killpg(worker.pid, signal.SIGKILL)  # mid-task, a piece in its hands
        worker.wait()
        worker = start_worker()
        status = ended(api, headers, task["task_id"], 300)
        assert status["status"] == "succeeded", (status, (tmp_path / "workers.log")
                                                 .read_text(errors="replace")[-3000:])
        result = api.client.get(f"/v1/stt/{task['task_id']}/result", headers=headers).json()
        assert word_error_rate(text, result["text"]) <= 0.1
        assert api.services.stt.recognizer._pool is None  # heard by the workers alone
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        apis.close()
