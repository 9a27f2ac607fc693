"""The whole API on a real PostgreSQL: a task from submit to MP3, and quotas under a crowd."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.api.conftest import Api, Server, check_quota_is_never_overdrawn, make_api
from tests.audio_tools import decode


@pytest.fixture
def api(tmp_path: Path, postgres_url: str) -> Iterator[Api]:
    yield from make_api(tmp_path, database_url=postgres_url, requests_per_minute=10_000)


@pytest.fixture
def server(tmp_path: Path, postgres_url: str) -> Iterator[Server]:
    running = Server(tmp_path, env={"VOICER_DATABASE_URL": postgres_url})
    running.start()
    yield running
    running.stop()


def test_a_task_goes_from_submit_to_mp3(api: Api) -> None:
    assert api.services.database.engine.dialect.name == "postgresql"
    headers = api.user(characters=1_000)
    text = "Привет! Это простой пример."
    created = api.client.post("/api/v1/voice/synthesize", headers=headers,
                              json={"text": text, "voice_id": "21m00Tcm4TlvDq8ikWAM"})
    assert created.status_code == 200, created.text
    status = api.wait(created.json()["task_id"], headers)
    assert status["status"] == "completed" and status["chunks_completed"] == 1
    assert status["created_at"] <= status["started_at"] <= status["completed_at"]
    download = api.client.get(status["download_url"], headers=headers)
    assert download.status_code == 200 and download.headers["content-type"] == "audio/mpeg"
    assert decode(download.content).duration == pytest.approx(status["audio_duration_seconds"],
                                                              abs=0.001)
    stats = api.client.get("/api/v1/user/stats", headers=headers).json()
    assert stats["used_characters"] == len(text) and stats["completed_tasks"] == 1


def test_concurrent_submits_with_one_key_make_one_task(api: Api) -> None:
    headers = {**api.user(characters=1_000), "Idempotency-Key": "order-42"}

    def submit(_: int) -> tuple[int, str]:
        answer = api.client.post("/api/v1/voice/synthesize", headers=headers,
                                 json={"text": "Exactly once."})
        return answer.status_code, answer.json().get("task_id", "")

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(submit, range(10)))
    assert [code for code, _ in answers] == [200] * 10
    assert len({task_id for _, task_id in answers}) == 1
    stats = api.client.get("/api/v1/user/stats", headers=headers).json()
    assert stats["used_characters"] == len("Exactly once.") and stats["total_tasks"] == 1


def test_concurrent_submits_never_overdraw_the_quota(server: Server) -> None:
    check_quota_is_never_overdrawn(server)


def test_a_nul_character_is_a_clear_400_not_a_database_error(api: Api) -> None:
    headers = api.user()
    task = api.client.post("/api/v1/voice/synthesize", headers=headers,
                           json={"text": "Hello\x00 world."})
    key = {"xi-api-key": headers["Authorization"].removeprefix("Bearer ")}
    speech = api.client.post("/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM", headers=key,
                             json={"text": "Hello\x00 world."})
    assert task.status_code == 400 and task.json()["field"] == "text"
    assert "U+0000" in task.json()["detail"]
    assert speech.status_code == 400 and "U+0000" in speech.json()["detail"]["message"]
