"""``stream-input`` for upstream voices: relayed to a second Voicer server playing ElevenLabs."""

from __future__ import annotations

import base64
import json
import logging
import os
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
from elevenlabs import ElevenLabs
from elevenlabs.realtime_tts import text_chunker
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.api.conftest import Api, Server, make_api
from tests.audio_tools import decode
from tests.servers import free_port
from voicer.elevenlabs import billing

RACHEL = "21m00Tcm4TlvDq8ikWAM"  # an ElevenLabs premade id: the upstream's when one is configured
OPENING = {"text": " ", "voice_settings": {"speed": 1.0},
           "generation_config": {"chunk_length_schedule": [50]}}
TEXTS = ["The first part of the text is long enough to be spoken at once. ",
         "And a short end. "]
BAD_KEY = "sk_" + "f" * 45


def front(tmp_path: Path, base_url: str, key: str, **settings: object) -> Iterator[Api]:
    """The Voicer a user talks to, with the upstream at ``base_url``."""
    defaults: dict[str, object] = {"elevenlabs_api_key": key, "elevenlabs_base_url": base_url,
                                   "elevenlabs_concurrency": 2, "requests_per_minute": 10_000}
    yield from make_api(tmp_path, **{**defaults, **settings})


def token(api: Api, characters: int = 100_000) -> str:
    return api.user(characters)["Authorization"].removeprefix("Bearer ")


def used(client: Any, url: str, key: str) -> int:
    answer = client.get(f"{url}/v1/user/subscription", headers={"xi-api-key": key})
    return int(answer.json()["character_count"])


def messages() -> list[dict[str, Any]]:
    return [OPENING, {"text": TEXTS[0]}, {"text": TEXTS[1], "flush": True}, {"text": ""}]


def through_front(api: Api, key: str, sent: list[dict[str, Any]],
                  query: str = "") -> tuple[list[dict[str, Any]], int, str]:
    """Everything the front answers to ``sent``, and how it closed."""
    with api.client.websocket_connect(f"/v1/text-to-speech/{RACHEL}/stream-input{query}",
                                      headers={"xi-api-key": key}) as ws:
        for message in sent:
            ws.send_json(message)
        return drain(ws)


def drain(ws: WebSocketTestSession) -> tuple[list[dict[str, Any]], int, str]:
    answers = []
    while True:
        try:
            answers.append(json.loads(ws.receive_text()))
        except WebSocketDisconnect as closed:
            return answers, closed.code, closed.reason


def directly(upstream: Server, key: str, sent: list[dict[str, Any]],
             query: str = "") -> tuple[list[dict[str, Any]], int | None]:
    """The same conversation, held with the upstream itself."""
    address = f"ws://127.0.0.1:{upstream.port}/v1/text-to-speech/{RACHEL}/stream-input{query}"
    with connect(address, additional_headers={"xi-api-key": key}) as ws:
        for message in sent:
            ws.send(json.dumps(message))
        answers = []
        try:
            while True:
                answers.append(json.loads(ws.recv(timeout=30)))
        except ConnectionClosed:
            return answers, ws.close_code


def audio_of(answers: list[dict[str, Any]]) -> bytes:
    return b"".join(base64.b64decode(answer["audio"]) for answer in answers if answer.get("audio"))


def spoken(answers: list[dict[str, Any]]) -> str:
    return "".join(char for answer in answers if answer.get("alignment")
                   for char in answer["alignment"]["chars"])


def test_an_upstream_voice_is_spoken_by_the_upstream_as_it_would_answer_itself(
        tmp_path: Path, upstream: Server, upstream_key: str,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    query = "?output_format=mp3_22050_32&model_id=eleven_multilingual_v2&enable_logging=false"
    expected, expected_code = directly(upstream, upstream_key, messages(), query)
    caplog.clear()  # this test's own client logs the key it sends
    for api in front(tmp_path, upstream.url, upstream_key):
        relayed, code, _ = through_front(api, token(api), messages(), query)

    assert expected_code == code == 1000
    assert [sorted(answer) for answer in relayed] == [sorted(answer) for answer in expected]
    assert relayed[-1] == {"isFinal": True}
    heard, direct = decode(audio_of(relayed)), decode(audio_of(expected))
    assert heard.rate == direct.rate == 22_050  # the format asked reached the upstream
    assert heard.duration == pytest.approx(direct.duration, abs=0.05)
    assert heard.duration > 2.0
    # the alignment passes through: every character, in order, with the upstream's times
    assert spoken(relayed).strip() == "".join(TEXTS).strip()
    assert [answer.get("alignment") for answer in relayed] == [
        answer.get("alignment") for answer in expected]
    assert upstream_key not in caplog.text and upstream_key[3:20] not in caplog.text


def test_a_relayed_conversation_past_the_memory_limit_is_kept_whole(
        tmp_path: Path, upstream: Server, upstream_key: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # a conversation's audio waits on disk past the limit: here 1 KiB, a few milliseconds
    monkeypatch.setattr(billing, "AUDIO_IN_MEMORY", 1024)
    for api in front(tmp_path, upstream.url, upstream_key):
        key = token(api)
        relayed, code, _ = through_front(api, key, messages())
        items = api.client.get("/v1/history", headers={"xi-api-key": key}).json()["history"]
        kept = api.client.get(f"/v1/history/{items[0]['history_item_id']}/audio",
                              headers={"xi-api-key": key})

    assert code == 1000 and len(items) == 1
    assert len(audio_of(relayed)) > 20 * 1024
    assert kept.content == audio_of(relayed)  # every byte the caller heard, in order


@pytest.fixture(scope="module")
def tls_front(tmp_path_factory: pytest.TempPathFactory, upstream: Server,
              upstream_key: str) -> Iterator[Server]:
    """A front Voicer over TLS (the SDK speaks wss only), its upstream the server above."""
    folder = tmp_path_factory.mktemp("tls")
    authority = trustme.CA()
    authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(
        str(folder / "server.pem"))
    authority.cert_pem.write_to_path(str(folder / "ca.pem"))
    server = Server(folder / "data", scheme="https",
                    env={"VOICER_ELEVENLABS_API_KEY": upstream_key,
                         "VOICER_ELEVENLABS_BASE_URL": upstream.url,
                         "VOICER_ELEVENLABS_CONCURRENCY": "2"},
                    extra_args=["--ssl-certfile", str(folder / "server.pem"),
                                "--ssl-keyfile", str(folder / "server.pem")],
                    verify=ssl.create_default_context(cafile=str(folder / "ca.pem")))
    previous = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(folder / "ca.pem")  # what the SDK's websockets trusts
    try:
        server.start()
        yield server
    finally:
        server.stop()
        if previous is None:
            del os.environ["SSL_CERT_FILE"]
        else:
            os.environ["SSL_CERT_FILE"] = previous


def test_the_sdk_speaks_an_upstream_voice_charged_alike_on_both_sides(
        tls_front: Server, upstream: Server, upstream_key: str) -> None:
    parts = ["Hello from the relayed ", "WebSocket of Voicer. ", "The upstream speaks it."]
    caller = tls_front.token(characters=10_000)
    upstream_before = used(httpx, upstream.url, upstream_key)
    with httpx.Client(timeout=60, verify=tls_front.verify) as http:
        client = ElevenLabs(base_url=tls_front.url, api_key=caller, httpx_client=http)
        audio = decode(b"".join(client.text_to_speech.convert_realtime(RACHEL, text=iter(parts))))
        charged = used(http, tls_front.url, caller)
        history = http.get(f"{tls_front.url}/v1/history", headers={"xi-api-key": caller}).json()
        item = history["history"][0]
        kept = http.get(f"{tls_front.url}/v1/history/{item['history_item_id']}/audio",
                        headers={"xi-api-key": caller})
    upstream_charged = used(httpx, upstream.url, upstream_key) - upstream_before

    sent = " " + "".join(text_chunker(iter(parts)))  # the SDK's opening space, then its chunks
    assert audio.rate == 44_100 and 2.0 < audio.duration < 12.0
    assert charged == len(sent)  # every character the caller sent, once
    assert upstream_charged == charged  # spoken with the operator's key, not the caller's token
    assert len(history["history"]) == 1 and item["text"] == sent and item["voice_id"] == RACHEL
    assert decode(kept.content).duration == pytest.approx(audio.duration, abs=0.05)


def test_a_key_the_upstream_refuses_costs_the_caller_nothing(
        tmp_path: Path, upstream: Server, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for api in front(tmp_path, upstream.url, BAD_KEY):
        key = token(api, characters=1_000)
        sent = [{**OPENING, "text": "Hello there. "}, {"text": TEXTS[0], "flush": True},
                {"text": ""}]
        answers, code, reason = through_front(api, key, sent)
        charged = used(api.client, "", key)
        metrics = api.client.get("/metrics").text

    # the upstream's own refusal, as it sent it, and its close
    assert answers == [{"message": "invalid or revoked API token", "error": "NotAuthenticated"}]
    assert code == 1008
    assert charged == 0
    assert "voicer_upstream_errors_total 1.0" in metrics
    for text in (str(answers), reason, caplog.text):
        assert BAD_KEY not in text and BAD_KEY[3:20] not in text


@pytest.mark.parametrize(("where", "code", "said"), [
    ("/nowhere", 1008, "the ElevenLabs upstream refused the connection (403"),
    ("closed port", 1011, "could not reach the ElevenLabs upstream"),
])
def test_an_upstream_that_refuses_the_websocket_or_is_away_is_named(
        tmp_path: Path, upstream: Server, upstream_key: str, where: str, code: int,
        said: str) -> None:
    base_url = upstream.url + where if where.startswith("/") else f"http://127.0.0.1:{free_port()}"
    for api in front(tmp_path, base_url, upstream_key, elevenlabs_backoff=0.05):
        key = token(api, characters=1_000)
        answers, closed, reason = through_front(api, key, [{**OPENING, "text": "Hello there. "},
                                                           {"text": ""}])
        charged = used(api.client, "", key)
        metrics = api.client.get("/metrics").text

    assert len(answers) == 1 and answers[0]["message"].startswith(said)
    assert answers[0]["error"] == "upstream_error"
    assert closed == code and reason.startswith(said)
    assert upstream_key not in str(answers)
    assert charged == 0  # the opening's text was charged, then given back
    assert "voicer_upstream_errors_total 1.0" in metrics


# What a caller sends, and what the close reason names: each refused before it goes on.
GARBAGE: list[tuple[list[str | bytes], str]] = [
    (["[1,2,3]"], "JSON object"),
    ([json.dumps({**OPENING, "generation_config": [1]})], "generation_config must be"),
    ([json.dumps({**OPENING, "voice_settings": {"stability": 5}})], "voice_settings.stability"),
    ([json.dumps(OPENING), '{"text": 12345}'], "text must be a string"),
    ([json.dumps({**OPENING, "text": "Hello there. "}), '{"text": "\\ud800 "}'],
     "text holds a lone UTF-16 surrogate"),
    ([json.dumps(OPENING), b'{"text": "Hello there. "}'], "binary frame"),
]


def test_garbage_for_an_upstream_voice_is_refused_by_name_and_costs_nothing(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    endings = []
    for api in front(tmp_path, upstream.url, upstream_key):
        key = token(api, characters=1_000)
        for sent, _ in GARBAGE:
            with api.client.websocket_connect(f"/v1/text-to-speech/{RACHEL}/stream-input",
                                              headers={"xi-api-key": key}) as ws:
                for frame in sent:
                    ws.send_bytes(frame) if isinstance(frame, bytes) else ws.send_text(frame)
                endings.append(drain(ws))
        charged = used(api.client, "", key)

    for (answers, code, reason), (_, named) in zip(endings, GARBAGE, strict=True):
        assert answers == [{"message": answers[0]["message"], "error": "InvalidInput"}]
        assert code == 1008 and named in reason and answers[0]["message"].startswith(reason)
    assert charged == 0  # what went on before the garbage was given back


@contextmanager
def opened(api: Api, key: str, query: str = "") -> Iterator[WebSocketTestSession]:
    with api.client.websocket_connect(f"/v1/text-to-speech/{RACHEL}/stream-input{query}",
                                      headers={"xi-api-key": key}) as ws:
        yield ws


def test_a_relayed_websocket_holds_one_slot_of_the_cap(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    for api in front(tmp_path, upstream.url, upstream_key, elevenlabs_concurrency=1):
        headers = api.user()
        first, second = token(api), token(api)
        with opened(api, first) as holding:
            holding.send_json(OPENING)
            holding.send_json({"text": TEXTS[0], "flush": True})
            assert holding.receive_json()["audio"]  # connected: the one slot is this one's
            task = api.client.post("/api/v1/voice/synthesize", headers=headers,
                                   json={"text": "A task waits for the slot.", "voice_id": RACHEL})
            task_id = task.json()["task_id"]
            started = time.monotonic()
            refused, code, reason = through_front(
                api, second, [{**OPENING, "text": "Wait. "}, {"text": ""}], "?inactivity_timeout=1")
            waited = time.monotonic() - started
            status = api.client.get(f"/api/v1/voice/status/{task_id}", headers=headers).json()
            holding.send_json({"text": ""})
            rest, done, _ = drain(holding)
        finished = api.wait(task_id, headers)
        second_charged = used(api.client, "", second)

    assert refused == [{"message": refused[0]["message"], "error": "upstream_busy"}]
    assert "try again later" in refused[0]["message"] and code == 1013
    assert reason == refused[0]["message"]
    assert waited >= 1.0  # refused once the caller's own timeout passed, not before
    assert second_charged == 0
    assert status["status"] in ("pending", "processing") and status["chunks_completed"] == 0
    assert done == 1000 and rest[-1] == {"isFinal": True}
    assert finished["status"] == "completed"  # the slot came free when the WebSocket closed
