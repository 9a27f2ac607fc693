"""The Voicer API through the real ASGI app: every route, every error the seed names."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from tests.api.conftest import Api
from tests.audio_tools import decode
from voicer.db.tables import Token


def submit(api: Api, headers: dict[str, str], **body: object) -> dict:
    response = api.client.post("/api/v1/voice/synthesize", headers=headers, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_root_and_health_need_no_token(api: Api) -> None:
    info = api.client.get("/").json()
    assert info["service"] == "Voicer API" and info["docs"] == "/docs"
    assert info["engines"][0]["name"] == "espeak-ng" and info["engines"][0]["voices"] >= 50
    health = api.client.get("/health")
    assert health.status_code == 200
    assert health.json()["components"]["database"] == {"status": "ok"}


@pytest.mark.parametrize("path", ["/api/v1/user/stats", "/api/v1/voices", "/api/v1/voice/tasks"])
def test_a_missing_or_bad_token_is_401(api: Api, path: str) -> None:
    assert api.client.get(path).status_code == 401
    bad = api.client.get(path, headers={"Authorization": "Bearer vk_not-a-token"})
    assert bad.status_code == 401 and bad.json()["detail"] == "invalid or revoked API token"


def test_tokens_are_stored_hashed_and_revocable(api: Api) -> None:
    headers = api.user()
    token = headers["Authorization"].split()[1]
    with api.services.database.session() as session:
        row = session.scalar(select(Token).where(Token.token_hash == hashlib.sha256(
            token.encode()).hexdigest()))
        assert row is not None and token not in row.token_hash
        assert api.client.get("/api/v1/user/stats", headers=headers).status_code == 200
        from voicer.accounts import revoke_token

        revoke_token(session, row.id)
        session.commit()
    assert api.client.get("/api/v1/user/stats", headers=headers).status_code == 401


def test_synthesize_answers_at_once_and_the_task_completes(api: Api) -> None:
    headers = api.user()
    created = submit(api, headers, text="Привет! Это простой пример.",
                     voice_id="21m00Tcm4TlvDq8ikWAM", model_id="eleven_multilingual_v2")
    assert created["status"] == "pending"
    assert created["message"] == "Задача успешно создана и добавлена в очередь"
    assert created["chunks_count"] == 1 and created["estimated_time"] > 0
    status = api.wait(created["task_id"], headers)
    assert status["status"] == "completed" and status["progress"] == 100
    assert status["chunks_completed"] == status["chunks_total"] == 1
    assert status["characters"] == len("Привет! Это простой пример.")
    assert status["created_at"] <= status["started_at"] <= status["completed_at"]
    assert status["created_at"].endswith("Z") or "+00:00" in status["created_at"]
    assert status["download_url"].endswith(f"/api/v1/voice/download/{created['task_id']}")
    download = api.client.get(status["download_url"], headers=headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "audio/mpeg"
    assert f'filename="voicer-{created["task_id"]}.mp3"' in download.headers["content-disposition"]
    assert decode(download.content).duration == pytest.approx(status["audio_duration_seconds"],
                                                              abs=0.001)


def test_split_output_downloads_a_zip(api: Api) -> None:
    headers = api.user()
    created = submit(api, headers, text="Глава 1. Текст главы...\n\nГлава 2. Текст главы...",
                     split_type="paragraphs", split_output=True)
    api.wait(created["task_id"], headers)
    download = api.client.get(f"/api/v1/voice/download/{created['task_id']}", headers=headers)
    assert download.headers["content-type"] == "application/zip"
    assert download.content[:2] == b"PK"


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"text": "Hi", "voice_id": "nope"}, "voice_id", "voice 'nope' not found"),
    ({"text": "Hi", "model_id": "gpt"}, "model_id", "model 'gpt' not found"),
    ({"text": "Hi", "output_format": "wav_1"}, "output_format", "not supported"),
    ({"text": "Hi", "language_code": "xx"}, "language_code", "not supported"),
    ({"text": "Hi", "model_id": "eleven_v3", "max_chunk_length": 6000}, "max_chunk",
     "between 50 and 5000"),
    ({"text": "   "}, "text", "text is empty"),
])
def test_bad_parameters_are_400_naming_the_field(api: Api, body: dict, field: str,
                                                 message: str) -> None:
    response = api.client.post("/api/v1/voice/synthesize", headers=api.user(), json=body)
    assert response.status_code == 400
    assert response.json()["field"] == field and message in response.json()["detail"]


@pytest.mark.parametrize(("body", "location"), [
    ({"text": ""}, ["body", "text"]),
    ({"text": "x" * 1_000_001}, ["body", "text"]),
    ({}, ["body", "text"]),
    ({"text": "Hi", "auto_pause_duration": 31}, ["body", "auto_pause_duration"]),
    ({"text": "Hi", "auto_pause_duration": 0.05}, ["body", "auto_pause_duration"]),
    ({"text": "Hi", "auto_pause_frequency": 101}, ["body", "auto_pause_frequency"]),
    ({"text": "Hi", "split_type": "words"}, ["body", "split_type"]),
    ({"text": "Hi", "voice_settings": {"speed": 2}}, ["body", "voice_settings", "speed"]),
    ({"text": "Hi", "voice_settings": {"stability": -1}}, ["body", "voice_settings", "stability"]),
])
def test_validation_errors_are_422_in_fastapi_shape(api: Api, body: dict,
                                                    location: list[str]) -> None:
    response = api.client.post("/api/v1/voice/synthesize", headers=api.user(), json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == location and detail[0]["msg"] and detail[0]["type"]


def test_a_text_over_a_million_characters_names_the_limit(api: Api) -> None:
    response = api.client.post("/api/v1/voice/synthesize", headers=api.user(),
                               json={"text": "x" * 1_000_001})
    assert "1000000" in response.json()["detail"][0]["msg"]


def test_quota_exhausted_is_403_and_charges_nothing(api: Api) -> None:
    headers = api.user(characters=10)
    response = api.client.post("/api/v1/voice/synthesize", headers=headers,
                               json={"text": "This text is longer than ten characters."})
    assert response.status_code == 403 and "quota" in response.json()["detail"]
    stats = api.client.get("/api/v1/user/stats", headers=headers).json()
    assert stats["used_characters"] == 0 and stats["total_tasks"] == 0


def test_user_stats_are_exact(api: Api) -> None:
    headers = api.user(characters=1_000)
    for text in ("One two three.", "Four five."):
        api.wait(submit(api, headers, text=text)["task_id"], headers)
    stats = api.client.get("/api/v1/user/stats", headers=headers).json()
    assert set(stats) == {"user_id", "subscription_type", "total_characters", "used_characters",
                          "remaining_characters", "total_tasks", "completed_tasks",
                          "active_tasks"}
    assert stats["subscription_type"] == "basic"
    assert stats["total_characters"] == 1_000
    assert stats["used_characters"] == len("One two three.") + len("Four five.")
    assert stats["remaining_characters"] == 1_000 - stats["used_characters"]
    assert (stats["total_tasks"], stats["completed_tasks"], stats["active_tasks"]) == (2, 2, 0)


def test_another_users_task_looks_unknown(api: Api) -> None:
    owner, stranger = api.user(), api.user()
    task_id = submit(api, owner, text="Private words.")["task_id"]
    api.wait(task_id, owner)
    unknown = "00000000-0000-0000-0000-000000000000"
    for method, path in [("GET", "/api/v1/voice/status/{}"), ("GET", "/api/v1/voice/download/{}"),
                         ("DELETE", "/api/v1/voice/tasks/{}"),
                         ("GET", "/api/v1/voice/status/{}/events")]:
        theirs = api.client.request(method, path.format(task_id), headers=stranger)
        missing = api.client.request(method, path.format(unknown), headers=stranger)
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["detail"].replace(task_id, "ID") == \
            missing.json()["detail"].replace(unknown, "ID")
    assert api.client.get("/api/v1/voice/tasks", headers=stranger).json()["total"] == 0


def test_download_before_completion_is_409(api: Api) -> None:
    headers = api.user()
    text = "\n\n".join(f"Paragraph number {i} is a little longer than the others." for i in range(60))
    task_id = submit(api, headers, text=text, split_type="paragraphs")["task_id"]
    early = api.client.get(f"/api/v1/voice/download/{task_id}", headers=headers)
    assert early.status_code == 409 and "once it is completed" in early.json()["detail"]
    api.wait(task_id, headers)


def test_cancel_stops_work_and_refunds_what_was_not_spoken(api: Api) -> None:
    headers = api.user(characters=200_000)
    text = "\n\n".join(f"Paragraph {i}. " + "Words go on and on here. " * 20 for i in range(80))
    task_id = submit(api, headers, text=text, split_type="paragraphs")["task_id"]
    cancelled = api.client.delete(f"/api/v1/voice/tasks/{task_id}", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    final = api.wait(task_id, headers)
    assert final["status"] == "cancelled" and final["chunks_completed"] < final["chunks_total"]
    stats = api.client.get("/api/v1/user/stats", headers=headers).json()
    with api.services.database.session() as session:
        from voicer.db.tables import TaskChunk

        spoken = sum(len(c.text) for c in session.scalars(select(TaskChunk).where(
            TaskChunk.task_id == task_id, TaskChunk.status == "done")))
    assert stats["used_characters"] <= spoken
    again = api.client.delete(f"/api/v1/voice/tasks/{task_id}", headers=headers)
    assert again.status_code == 409


def test_tasks_are_listed_newest_first_with_filter_and_pages(api: Api) -> None:
    headers = api.user()
    ids = [submit(api, headers, text=f"Task number {i}.")["task_id"] for i in range(3)]
    for task_id in ids:
        api.wait(task_id, headers)
    page = api.client.get("/api/v1/voice/tasks?limit=2", headers=headers).json()
    assert page["total"] == 3 and [t["task_id"] for t in page["tasks"]] == ids[::-1][:2]
    rest = api.client.get("/api/v1/voice/tasks?limit=2&offset=2", headers=headers).json()
    assert [t["task_id"] for t in rest["tasks"]] == [ids[0]]
    done = api.client.get("/api/v1/voice/tasks?status=completed", headers=headers).json()
    failed = api.client.get("/api/v1/voice/tasks?status=failed", headers=headers).json()
    assert (done["total"], failed["total"]) == (3, 0)


def test_idempotency_key_replays_or_refuses(api: Api) -> None:
    headers = {**api.user(characters=1_000), "Idempotency-Key": "order-42"}
    first = submit(api, headers, text="Exactly once.")
    second = submit(api, headers, text="Exactly once.")
    assert second["task_id"] == first["task_id"]
    other = api.client.post("/api/v1/voice/synthesize", headers=headers, json={"text": "Other."})
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"][0]["msg"]
    api.wait(first["task_id"], headers)
    stats = api.client.get("/api/v1/user/stats", headers=headers).json()
    assert stats["used_characters"] == len("Exactly once.") and stats["total_tasks"] == 1


def test_events_stream_progress_until_the_task_ends(api: Api) -> None:
    headers = api.user()
    text = "\n\n".join(f"Paragraph {i} of the stream." for i in range(8))
    task_id = submit(api, headers, text=text, split_type="paragraphs")["task_id"]
    events = []
    with api.client.stream("GET", f"/api/v1/voice/status/{task_id}/events",
                           headers=headers) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    assert events[-1]["status"] == "completed" and events[-1]["progress"] == 100
    progress = [event["progress"] for event in events]
    assert progress == sorted(progress)


def test_voices_and_models_are_listed(api: Api) -> None:
    headers = api.user()
    voices = api.client.get("/api/v1/voices", headers=headers).json()
    assert len(voices) >= 50
    assert {"21m00Tcm4TlvDq8ikWAM", "AB9XsbSA4eLG12t2myjN"} <= {v["voice_id"] for v in voices}
    ukrainian = api.client.get("/api/v1/voices?language=uk", headers=headers).json()
    assert ukrainian and all("uk" in v["languages"] for v in ukrainian)
    models = api.client.get("/api/v1/models", headers=headers).json()
    assert {m["model_id"] for m in models} >= {
        "eleven_multilingual_v2", "eleven_turbo_v2", "eleven_turbo_v2_5", "eleven_flash_v2",
        "eleven_flash_v2_5", "eleven_v3"}


def test_openapi_31_documents_every_route_with_the_seed_examples(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    paths = spec["paths"]
    for path in ["/", "/health", "/api/v1/voice/synthesize", "/api/v1/voice/status/{task_id}",
                 "/api/v1/voice/download/{task_id}", "/api/v1/user/stats", "/api/v1/voice/tasks",
                 "/api/v1/voice/tasks/{task_id}", "/api/v1/voice/status/{task_id}/events",
                 "/api/v1/voices", "/api/v1/models"]:
        assert path in paths, path
    examples = paths["/api/v1/voice/synthesize"]["post"]["requestBody"]["content"][
        "application/json"]["examples"]
    assert len(examples) >= 5
    assert api.client.get("/docs").status_code == 200


def test_metrics_count_tasks_chunks_and_speech(api: Api) -> None:
    headers = api.user()
    task_id = submit(api, headers, text="Measure me. Twice.", split_type="sentences")["task_id"]
    api.wait(task_id, headers)
    key = {"xi-api-key": headers["Authorization"].split()[1]}
    api.client.post("/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM", headers=key, json={"text": "Hi."})
    scraped = api.client.get("/metrics")
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    values = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
              for line in scraped.text.splitlines() if line and not line.startswith("#")}
    assert values['voicer_tasks{status="completed"}'] >= 1
    assert values["voicer_queue_chunks"] >= 0
    assert values["voicer_chunk_seconds_count"] >= 2
    assert values['voicer_speech_requests_total{output_format="mp3_44100_128"}'] >= 1
    assert values["voicer_speech_characters_total"] >= 3


def test_a_short_task_is_not_stuck_behind_a_long_one(api: Api) -> None:
    headers = api.user(characters=500_000)
    book = "\n\n".join(f"Chapter {i}. " + "The road went on and on. " * 12 for i in range(90))
    long_id = submit(api, headers, text=book, split_type="paragraphs")["task_id"]
    short_id = submit(api, headers, text="Just one line.")["task_id"]
    short = api.wait(short_id, headers)
    long = api.client.get(f"/api/v1/voice/status/{long_id}", headers=headers).json()
    assert short["status"] == "completed"
    assert long["status"] == "processing" and long["chunks_completed"] < long["chunks_total"]
    finished = api.wait(long_id, headers, timeout=120)
    assert finished["status"] == "completed" and finished["chunks_completed"] == 90
