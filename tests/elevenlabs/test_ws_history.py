"""A local ``stream-input`` conversation is one purchase: one history item, charged what it spoke."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.api.conftest import Api, make_api
from tests.audio_tools import decode
from tests.waiting import wait_until
from voicer.elevenlabs import conversation

VOICE = "21m00Tcm4TlvDq8ikWAM"
URL = f"/v1/text-to-speech/{VOICE}/stream-input"
OPENING = {"text": " ", "generation_config": {"chunk_length_schedule": [50]}}
FIRST = "The first part of the text is long enough to be spoken at once. "
SECOND = "A second part, flushed. "
THIRD = "And a short end. "


@pytest.fixture(scope="module")
def el(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("ws-history"), requests_per_minute=10_000)


def key(api: Api) -> dict[str, str]:
    return {"xi-api-key": api.user()["Authorization"].removeprefix("Bearer ")}


def heard(ws: WebSocketTestSession) -> tuple[list[dict[str, Any]], int]:
    """Every answer until the close, and the close code."""
    answers = []
    while True:
        try:
            answers.append(ws.receive_json())
        except WebSocketDisconnect as closed:
            return answers, closed.code


def audio_of(answers: list[dict[str, Any]]) -> bytes:
    return b"".join(base64.b64decode(answer["audio"]) for answer in answers if answer.get("audio"))


def charged(api: Api, headers: dict[str, str]) -> int:
    return int(api.client.get("/v1/user/subscription", headers=headers).json()["character_count"])


def items(api: Api, headers: dict[str, str]) -> list[dict[str, Any]]:
    return list(api.client.get("/v1/history", headers=headers).json()["history"])


def test_a_conversation_is_one_history_item_charged_exactly_what_it_spoke(el: Api) -> None:
    headers = key(el)
    with el.client.websocket_connect(URL, headers=headers) as ws:
        ws.send_json(OPENING)
        ws.send_json({"text": FIRST})  # past the schedule: spoken at once
        answers = [ws.receive_json()]
        ws.send_json({"text": SECOND, "flush": True})
        answers.append(ws.receive_json())
        ws.send_json({"text": THIRD})
        ws.send_json({"text": ""})
        rest, code = heard(ws)
    answers += rest
    [item] = items(el, headers)
    kept = el.client.get(f"/v1/history/{item['history_item_id']}/audio", headers=headers)

    spoken = " " + FIRST + SECOND + THIRD
    assert code == 1000 and answers[-1] == {"isFinal": True}
    assert item["text"] == spoken and item["voice_id"] == VOICE
    assert item["character_count_change_to"] - item["character_count_change_from"] == len(spoken)
    assert charged(el, headers) == len(spoken)
    assert kept.status_code == 200 and kept.headers["content-type"] == "audio/mpeg"
    sent = decode(audio_of(answers))
    assert sent.duration > 4.0
    assert decode(kept.content).duration == pytest.approx(sent.duration, abs=0.05)


def test_an_abandoned_conversation_is_charged_and_kept_only_what_was_delivered(el: Api) -> None:
    headers = key(el)
    with el.client.websocket_connect(URL, headers=headers) as ws:
        ws.send_json(OPENING)
        ws.send_json({"text": FIRST, "flush": True})
        delivered = ws.receive_json()
        ws.send_json({"text": SECOND})  # under the schedule: waits, never spoken
    # the caller is gone; the conversation settles once the server sees it
    item = _eventually_one(el, headers)
    kept = el.client.get(f"/v1/history/{item['history_item_id']}/audio", headers=headers)

    assert item["text"] == " " + FIRST
    assert charged(el, headers) == len(" " + FIRST)
    assert decode(kept.content).duration == pytest.approx(
        decode(base64.b64decode(delivered["audio"])).duration, abs=0.05)


def test_a_generation_that_fails_is_given_back_and_the_rest_is_kept(
        el: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    speak_into = conversation.speak_into

    def failing_second(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the engine broke")
        return speak_into(*args, **kwargs)

    monkeypatch.setattr(conversation, "speak_into", failing_second)
    headers = key(el)
    with el.client.websocket_connect(URL, headers=headers) as ws:
        ws.send_json(OPENING)
        ws.send_json({"text": FIRST, "flush": True})
        delivered = ws.receive_json()
        ws.send_json({"text": SECOND, "flush": True})
        ending, code = heard(ws)
    [item] = items(el, headers)

    assert delivered["audio"] and code == 1011 and ending[-1]["error"] == "internal_error"
    assert item["text"] == " " + FIRST  # the failed generation is not in it
    assert charged(el, headers) == len(" " + FIRST)  # and not charged


def test_a_conversation_that_speaks_nothing_costs_nothing_and_leaves_no_history(el: Api) -> None:
    headers = key(el)
    with el.client.websocket_connect(URL, headers=headers) as ws:
        ws.send_json(OPENING)
        ws.send_json({"text": "  "})
        ws.send_json({"text": ""})
        answers, code = heard(ws)
    assert code == 1000 and answers[-1] == {"isFinal": True}
    assert charged(el, headers) == 0 and items(el, headers) == []


def _eventually_one(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    def one() -> dict[str, Any] | None:
        found = items(api, headers)
        return found[0] if len(found) == 1 else None

    return wait_until(one, 10, "the abandoned conversation settled", every=0.05)
