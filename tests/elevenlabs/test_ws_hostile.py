"""``stream-input`` against hostile callers: every refusal says why and closes with 1008."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.api.conftest import Api, make_api
from voicer.elevenlabs import conversation

VOICE = "21m00Tcm4TlvDq8ikWAM"
URL = f"/v1/text-to-speech/{VOICE}/stream-input"
DEEP = "[" * 100_000 + "]" * 100_000

# (what the caller sends, what the close reason must name)
GARBAGE = [
    pytest.param("[1,2,3]", "JSON object", id="array"),
    pytest.param('"hello"', "JSON object", id="string"),
    pytest.param("null", "JSON object", id="null"),
    pytest.param("{this is not json", "not JSON", id="not-json"),
    pytest.param(DEEP, "nested too deeply", id="deeply-nested"),
    pytest.param(b'{"text": " "}', "binary frame", id="binary-frame"),
    pytest.param('{"text": 12345}', "text must be a string", id="text-number"),
    pytest.param('{"text": ["a"]}', "text must be a string", id="text-array"),
    pytest.param('{"text": "\\ud800 "}', "text holds a lone UTF-16 surrogate", id="lone-surrogate"),
    pytest.param('{"text": "Hi \\udfff.", "flush": true}', "text holds a lone UTF-16 surrogate",
                 id="lone-surrogate-flushed"),
    pytest.param('{"text": " ", "generation_config": [1]}', "generation_config must be",
                 id="generation-config-array"),
    pytest.param('{"text": " ", "generation_config": "x"}', "generation_config must be",
                 id="generation-config-string"),
    pytest.param('{"text": " ", "voice_settings": "x"}', "voice_settings must be",
                 id="voice-settings-string"),
    pytest.param('{"text": " ", "voice_settings": [0.5]}', "voice_settings must be",
                 id="voice-settings-array"),
    pytest.param('{"text": " ", "flush": "yes"}', "flush must be", id="flush-string"),
]

# Only the first message sets these; later ones are still checked for their types.
FIRST_ONLY = [
    pytest.param('{"text": " ", "generation_config": {"chunk_length_schedule": 5}}',
                 "chunk_length_schedule", id="schedule-number"),
    pytest.param('{"text": " ", "generation_config": {"chunk_length_schedule": [true]}}',
                 "chunk_length_schedule", id="schedule-boolean"),
    pytest.param('{"text": " ", "voice_settings": {"stability": 5}}', "voice_settings.stability",
                 id="stability-out-of-range"),
    pytest.param('{"text": " ", "voice_settings": {"speed": "fast"}}', "voice_settings.speed",
                 id="speed-not-a-number"),
]


@pytest.fixture(scope="module")
def el(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("hostile"), requests_per_minute=10_000)


def token(api: Api) -> str:
    return api.user()["Authorization"].removeprefix("Bearer ")


def send(ws: WebSocketTestSession, frame: str | bytes) -> None:
    if isinstance(frame, bytes):
        ws.send_bytes(frame)
    else:
        ws.send_text(frame)


def refusal(ws: WebSocketTestSession) -> tuple[dict[str, Any], int, str]:
    """What the server said before it closed, the close code and the close reason."""
    said = json.loads(ws.receive_text())
    with pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_text()
    return said, closed.value.code, closed.value.reason


def spoken(ws: WebSocketTestSession) -> tuple[list[dict[str, Any]], int]:
    """Everything said until the close, and the close code."""
    answers = []
    while True:
        try:
            answers.append(json.loads(ws.receive_text()))
        except WebSocketDisconnect as closed:
            return answers, closed.code


def assert_refused(said: dict[str, Any], code: int, reason: str, named: str) -> None:
    assert code == 1008
    assert named in reason
    assert said["message"].startswith(reason) and said["error"]


@pytest.mark.parametrize(("frame", "named"), GARBAGE + FIRST_ONLY)
def test_a_hostile_first_message_is_refused_by_name(el: Api, frame: str | bytes,
                                                    named: str) -> None:
    with el.client.websocket_connect(URL, headers={"xi-api-key": token(el)}) as ws:
        send(ws, frame)
        said, code, reason = refusal(ws)
    assert_refused(said, code, reason, named)


@pytest.mark.parametrize(("frame", "named"), GARBAGE)
def test_a_hostile_later_message_is_refused_by_name(el: Api, frame: str | bytes,
                                                    named: str) -> None:
    with el.client.websocket_connect(URL, headers={"xi-api-key": token(el)}) as ws:
        ws.send_json({"text": " "})
        send(ws, frame)
        said, code, reason = refusal(ws)
    assert_refused(said, code, reason, named)


def test_garbage_after_speech_ends_the_conversation_after_what_was_spoken(el: Api) -> None:
    with el.client.websocket_connect(URL, headers={"xi-api-key": token(el)}) as ws:
        ws.send_json({"text": "Hello there. ", "flush": True})
        audio = ws.receive_json()
        ws.send_text('{"text": 12345}')
        said, code, reason = refusal(ws)
    assert audio["audio"] and audio["isFinal"] is False
    assert_refused(said, code, reason, "text")


@pytest.mark.parametrize("seconds", ["0", "-5", "181", "100000", "ten", "1.5", ""])
def test_an_inactivity_timeout_out_of_range_is_refused(el: Api, seconds: str) -> None:
    with el.client.websocket_connect(f"{URL}?inactivity_timeout={seconds}",
                                     headers={"xi-api-key": token(el)}) as ws:
        ws.send_json({"text": " "})
        ws.send_json({"text": ""})
        said, code, reason = refusal(ws)
    assert_refused(said, code, reason, "inactivity_timeout")
    assert "1 to 180" in reason


@pytest.mark.parametrize("seconds", ["1", "180"])
def test_an_inactivity_timeout_in_range_is_accepted(el: Api, seconds: str) -> None:
    with el.client.websocket_connect(f"{URL}?inactivity_timeout={seconds}",
                                     headers={"xi-api-key": token(el)}) as ws:
        ws.send_json({"text": " "})
        ws.send_json({"text": "Hello. "})
        ws.send_json({"text": ""})
        answers, code = spoken(ws)
    assert code == 1000 and answers[-1] == {"isFinal": True}


@pytest.mark.parametrize("where", [
    "first message xi-api-key", "first message xi_api_key", "first message authorization",
    "first message bare authorization", "query bearer", "query bare",
])
def test_the_key_is_taken_where_elevenlabs_takes_it(el: Api, where: str) -> None:
    key = token(el)
    first: dict[str, Any] = {"text": " "}
    query = ""
    match where.split():
        case ["first", "message", "bare", name]:
            first[name] = key
        case ["first", "message", name]:
            first[name] = f"Bearer {key}" if name == "authorization" else key
        case ["query", "bearer"]:
            query = f"?authorization=Bearer%20{key}"
        case ["query", "bare"]:
            query = f"?authorization={key}"
    with el.client.websocket_connect(URL + query) as ws:
        ws.send_json(first)
        ws.send_json({"text": "Hello there. "})
        ws.send_json({"text": ""})
        answers, code = spoken(ws)
    assert code == 1000 and answers[-1] == {"isFinal": True}
    assert any(answer.get("audio") for answer in answers)


@pytest.mark.parametrize(("query", "first"), [
    ("", {"text": " "}),
    ("?authorization=nope", {"text": " "}),
    ("?authorization=Bearer%20nope", {"text": " "}),
    ("", {"text": " ", "xi-api-key": "nope"}),
    ("", {"text": " ", "authorization": "Bearer "}),
])
def test_a_missing_or_bad_key_is_refused(el: Api, query: str, first: dict[str, Any]) -> None:
    with el.client.websocket_connect(URL + query) as ws:
        ws.send_json(first)
        said, code, reason = refusal(ws)
    assert_refused(said, code, reason, "API token")
    assert said["error"] == "NotAuthenticated"


def test_a_key_that_is_not_a_string_is_refused_by_name(el: Api) -> None:
    with el.client.websocket_connect(URL) as ws:
        ws.send_json({"text": " ", "xi-api-key": 12345})
        said, code, reason = refusal(ws)
    assert_refused(said, code, reason, "xi-api-key")


def test_a_fault_of_ours_still_ends_with_a_close_frame(el: Api,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(conversation.Conversation, "generate", broken)
    with el.client.websocket_connect(URL, headers={"xi-api-key": token(el)}) as ws:
        ws.send_json({"text": "Hello there. ", "flush": True})
        said, code, reason = refusal(ws)
    assert code == 1011 and reason == said["message"] == "internal server error"
    assert said["error"] == "internal_error"
