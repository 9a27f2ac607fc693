"""The Voice API's speech to text: submit, poll to succeeded, read segments or plain text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.api.conftest import Api, make_api
from tests.recognition.speech import PARAGRAPH, speak, wav
from tests.waiting import wait_until
from voicer.accounts import reserve_characters
from voicer.db.tables import SttStatus, SttTask
from voicer.errors import NotFound
from voicer.pipeline.pool import WorkerPool
from voicer.recognition.parallel import ParallelRecognizer
from voicer.recognition.wer import word_error_rate


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, whisper_dir: Path) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("stt"), stt_model=str(whisper_dir),
                        requests_per_minute=10_000)


@pytest.fixture(scope="module")
def paragraph(pool: WorkerPool) -> bytes:
    return speak(pool, PARAGRAPH).wav


def submit(api: Api, headers: dict[str, str], audio: bytes, **data: str) -> dict:
    answer = api.client.post("/v1/stt", headers=headers, data=data,
                             files={"file": ("paragraph.wav", audio, "audio/wav")})
    assert answer.status_code == 200, answer.text
    return answer.json()


def succeeded(api: Api, headers: dict[str, str], task_id: str) -> dict:
    def done() -> dict | None:
        status = api.client.get(f"/v1/stt/{task_id}", headers=headers).json()
        return status if status["status"] not in ("pending", "processing") else None

    return wait_until(done, 120, "the stt task ended", every=0.2)


def test_a_file_polls_to_succeeded_and_reads_as_segments_or_text(api: Api, paragraph: bytes) -> None:
    headers = api.user()
    task = submit(api, headers, paragraph)
    assert task["status"] == "pending" and task["result"] is None
    assert task["duration"] == pytest.approx(17.4, abs=1.0)
    early = api.client.get(f"/v1/stt/{task['task_id']}/result", headers=headers)
    assert early.status_code == 409
    status = succeeded(api, headers, task["task_id"])
    assert status["status"] == "succeeded" and status["progress"] == 100
    assert status["result"] is None and status["language"] == "en"
    result = api.client.get(f"/v1/stt/{task['task_id']}/result", headers=headers).json()
    assert word_error_rate(PARAGRAPH, result["text"]) <= 0.05
    segments = result["segments"]
    assert segments and all(s["speaker"] == "speaker_0" and s["words"] for s in segments)
    starts = [s["start"] for s in segments]
    assert starts == sorted(starts) and segments[-1]["end"] <= result["duration"]
    plain = api.client.get(f"/v1/stt/{task['task_id']}/result", headers=headers,
                           params={"plain_text": "true"}).json()
    assert plain == {"task_id": task["task_id"], "text": result["text"]}


def test_another_users_task_is_not_found(api: Api) -> None:
    owner, stranger = api.user(), api.user()
    task = submit(api, owner, wav(np.zeros(8_000, dtype="<i2"), 16_000))
    for path in ("", "/result"):
        answer = api.client.get(f"/v1/stt/{task['task_id']}{path}", headers=stranger)
        assert answer.status_code == 404
    assert api.client.get("/v1/stt/no-such-task", headers=owner).status_code == 404


def test_what_is_refused_at_submit_charges_nothing(api: Api, paragraph: bytes) -> None:
    headers = api.user(characters=50)
    answer = api.client.post("/v1/stt", headers=headers,
                             files={"file": ("a.wav", paragraph, "audio/wav")})
    assert answer.status_code == 403
    answer = api.client.post("/v1/stt", headers=headers,
                             files={"file": ("notes.txt", b"meeting notes" * 100, "text/plain")})
    assert answer.status_code == 400 and "file is not audio" in answer.text
    stats = api.client.get("/api/v1/user/stats", headers=headers).json()
    assert stats["used_characters"] == 0


def test_the_audio_is_not_kept(api: Api, paragraph: bytes) -> None:
    headers = api.user()
    task = submit(api, headers, paragraph)
    assert api.services.storage.read_upload(task["task_id"]) == paragraph  # while it runs
    succeeded(api, headers, task["task_id"])
    # removed right after the status is written (the assembly that won removes them)
    wait_until(lambda: not list(api.services.settings.data_dir.rglob(f"*{task['task_id']}*")),
               5, "the task's files removed")
    with pytest.raises(NotFound):
        api.services.storage.read_upload(task["task_id"])
    assert not [path for path in api.services.settings.data_dir.rglob(f"*{task['task_id']}*")]


def test_tasks_left_by_a_stopped_process_are_recognised_again(api: Api, paragraph: bytes) -> None:
    headers = api.user(characters=1_000)
    user_id = api.client.get("/api/v1/user/stats", headers=headers).json()["user_id"]
    with api.services.database.session() as session:  # what a process killed mid-task leaves
        reserve_characters(session, user_id, 300)
        for name in ("left-behind", "left-without-its-file"):
            session.add(SttTask(id=name, user_id=user_id, status=SttStatus.processing,
                                progress=40, filename="a.wav", diarize=True, duration=17.4,
                                characters=150))
        session.commit()
    api.services.storage.put_upload("left-behind", paragraph)
    assert api.services.stt.recover() == 2
    resumed = succeeded(api, headers, "left-behind")
    assert resumed["status"] == "succeeded" and resumed["progress"] == 100
    result = api.client.get("/v1/stt/left-behind/result", headers=headers).json()
    assert word_error_rate(PARAGRAPH, result["text"]) <= 0.05
    lost = succeeded(api, headers, "left-without-its-file")
    assert lost["status"] == "failed" and "not in storage" in lost["error"]
    stats = api.client.get("/api/v1/user/stats", headers=headers).json()
    assert stats["used_characters"] == 150  # the lost one refunded


def test_a_pending_task_cancelled_is_refunded_whole(api: Api, paragraph: bytes) -> None:
    headers = api.user(characters=10_000)
    running = submit(api, headers, paragraph)  # one task at a time: the next one waits
    waiting = submit(api, headers, paragraph)
    answer = api.client.delete(f"/v1/stt/{waiting['task_id']}", headers=headers)
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    succeeded(api, headers, running["task_id"])
    stats = api.client.get("/api/v1/user/stats", headers=headers).json()
    assert stats["used_characters"] == running["characters"]
    again = api.client.delete(f"/v1/stt/{waiting['task_id']}", headers=headers)
    assert again.status_code == 409
    assert api.client.get(f"/v1/stt/{waiting['task_id']}/result", headers=headers).status_code == 409


def test_a_task_cancelled_midway_keeps_what_was_heard_and_refunds_the_rest(
        api: Api, pool: WorkerPool, whisper_dir: Path) -> None:
    stt = api.services.stt
    usual, stt.recognizer = stt.recognizer, ParallelRecognizer(lambda: whisper_dir, 1, longest=4.0)
    try:
        headers = api.user(characters=10_000)
        task = submit(api, headers, speak(pool, " ".join([PARAGRAPH] * 3)).wav)
        wait_until(lambda: api.client.get(f"/v1/stt/{task['task_id']}",
                                          headers=headers).json()["progress"] > 1,
                   60, "recognition under way", every=0.1)
        assert api.client.delete(f"/v1/stt/{task['task_id']}", headers=headers).status_code == 200
        status = succeeded(api, headers, task["task_id"])
    finally:
        stt.recognizer.close()
        stt.recognizer = usual
    assert status["status"] == "cancelled" and "the rest was refunded" in status["error"]
    assert 0 < status["characters"] < task["characters"]
    stats = api.client.get("/api/v1/user/stats", headers=headers).json()
    assert stats["used_characters"] == status["characters"]
    heard = api.client.get(f"/v1/stt/{task['task_id']}/result", headers=headers).json()
    assert heard["text"] and heard["duration"] < task["duration"]
    assert "weather" in heard["text"]
