"""A recognition task (``/v1/stt``) tells its webhook (the one it names, or its owner's
default) when it has succeeded or failed: the same signed events, from the same dispatcher, as
a task's and a dubbing's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Api, make_api
from tests.waiting import wait_until
from tests.webhooks.receiver import FAST, Receiver, secret, xi_user
from tests.webhooks.test_dubbing_webhooks import SAID, silence
from voicer.recognition.wer import word_error_rate


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, whisper_dir: Path) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("stt-webhooks"), requests_per_minute=10_000,
                        stt_model=str(whisper_dir), **FAST)


def recognise(api: Api, headers: dict[str, str], name: str, audio: bytes, **asked: str) -> str:
    """``audio`` submitted to ``/v1/stt``: its task id."""
    created = api.client.post("/v1/stt", headers=headers, files={"file": (name, audio)},
                              data={"language": "en", "diarize": "false", **asked})
    assert created.status_code == 200, created.text
    task_id: str = created.json()["task_id"]
    return task_id


def test_a_recognition_task_posts_a_signed_stt_completed_event(api: Api,
                                                                receiver: Receiver) -> None:
    headers = xi_user(api)
    speech = api.client.post("/v1/text-to-speech/en-us-espeak", headers=headers,
                             json={"text": SAID})
    assert speech.status_code == 200, speech.text
    task_id = recognise(api, headers, "said.mp3", speech.content, webhook_url=receiver.url)
    wait_until(lambda: receiver.received, 120, "the recognition task's event")
    time.sleep(0.5)  # nothing more comes
    (got,) = receiver.received
    assert got.signed_with(secret(api, headers))
    event = got.event
    assert event["type"] == "stt.completed" and got.headers["voicer-event-type"] == event["type"]
    data = event["data"]
    assert data["task_id"] == task_id and data["status"] == "succeeded" and data["error"] is None
    assert api.client.get(f"/v1/stt/{task_id}", headers=headers).json()["status"] == "succeeded"
    heard = api.client.get(data["result_path"], headers=headers)
    assert heard.status_code == 200 and word_error_rate(SAID, heard.json()["text"]) <= 0.2


def test_a_private_callback_is_refused_at_submit(api: Api) -> None:
    headers = xi_user(api)
    before = api.client.get("/api/v1/user/stats", headers=headers).json()
    refused = api.client.post("/v1/stt", headers=headers, files={"file": ("q.wav", silence())},
                              data={"webhook_url": "http://192.168.1.20/hook"})
    assert refused.status_code == 400, refused.text
    assert "webhook_url" in refused.text and "private" in refused.text
    assert api.client.get("/api/v1/user/stats", headers=headers).json() == before
