"""A dubbing tells its webhook (the one it names, or its owner's default) when it is dubbed or
has failed: the same signed events, from the same dispatcher, as a task's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.api.conftest import Api, make_api
from tests.recognition.speech import wav
from tests.waiting import wait_until
from tests.webhooks.receiver import FAST, Receiver, secret, xi_user

SAID = "The weather was calm on the morning of the first day."


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, whisper_dir: Path) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("dubbing-webhooks"), requests_per_minute=10_000,
                        stt_model=str(whisper_dir), **FAST)


def dub(api: Api, headers: dict[str, str], name: str, audio: bytes, **asked: str) -> str:
    """``audio`` dubbed in English: its id."""
    created = api.client.post("/v1/dubbing", headers=headers, files={"file": (name, audio)}, data={
        "source_lang": "en", "target_lang": "en", "num_speakers": "1",
        "drop_background_audio": "true", **asked})
    assert created.status_code == 200, created.text
    dubbing_id: str = created.json()["dubbing_id"]
    return dubbing_id


def silence(seconds: float = 3.0, rate: int = 16_000) -> bytes:
    return wav(np.zeros(int(seconds * rate), "<i2"), rate)


def test_a_dubbing_posts_a_signed_dubbing_completed_event(api: Api, receiver: Receiver) -> None:
    headers = xi_user(api)
    speech = api.client.post("/v1/text-to-speech/en-us-espeak", headers=headers, json={"text": SAID})
    assert speech.status_code == 200, speech.text
    dubbing_id = dub(api, headers, "said.mp3", speech.content, webhook_url=receiver.url)
    wait_until(lambda: receiver.received, 180, "the dubbing's event")
    time.sleep(0.5)  # nothing more comes
    (got,) = receiver.received
    assert got.signed_with(secret(api, headers))
    event = got.event
    assert event["type"] == "dubbing.completed" and got.headers["voicer-event-type"] == event["type"]
    assert event["data"]["dubbing_id"] == dubbing_id and event["data"]["status"] == "dubbed"
    assert api.client.get(f"/v1/dubbing/{dubbing_id}", headers=headers).json()["status"] == "dubbed"
    audio = api.client.get(event["data"]["audio_paths"]["en"], headers=headers)
    assert audio.status_code == 200 and audio.content


def test_a_dubbing_of_silence_posts_dubbing_failed_to_the_default(api: Api,
                                                                   receiver: Receiver) -> None:
    headers = xi_user(api)
    put = api.client.put("/api/v1/user/webhook", headers=headers, json={"url": receiver.url})
    assert put.status_code == 200, put.text
    dubbing_id = dub(api, headers, "quiet.wav", silence())
    wait_until(lambda: receiver.received, 120, "the dubbing's event")
    (got,) = receiver.received
    assert got.signed_with(put.json()["secret"])
    assert got.event["type"] == "dubbing.failed" and got.event["data"]["dubbing_id"] == dubbing_id
    assert "no speech" in got.event["data"]["error"]
    assert api.client.get(f"/v1/dubbing/{dubbing_id}", headers=headers).json()["status"] == "failed"


def test_a_private_callback_is_refused_at_submit(api: Api) -> None:
    headers = xi_user(api)
    before = api.client.get("/api/v1/user/stats", headers=headers).json()
    refused = api.client.post("/v1/dubbing", headers=headers, files={"file": ("q.wav", silence())},
                              data={"source_lang": "en", "target_lang": "en",
                                    "webhook_url": "http://10.1.2.3/hook"})
    assert refused.status_code == 400, refused.text
    assert "webhook_url" in refused.text and "private" in refused.text
    assert api.client.get("/api/v1/user/stats", headers=headers).json() == before
