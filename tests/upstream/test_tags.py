"""Audio tags reach the upstream only for the models that perform them: eleven_v3 gets them as
they are, older models get the text without them (a pause as a ``<break>``), whether the text
comes in one request, a task's chunks, a dialogue's turns, or a relayed WebSocket's messages."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Server
from tests.upstream.proxy import FaultProxy
from tests.upstream.test_stream_input import front as ws_front
from tests.upstream.test_stream_input import through_front, token
from tests.upstream.test_upstream import RACHEL, front, speech_requests
from voicer.upstream.tags import TagFilter, untagged

TAGGED = "[excited] The news came in this morning. [pause] [whispers] Nobody else knows yet."
OLDER = ["eleven_multilingual_v2", "eleven_flash_v2_5"]


def test_tags_go_to_eleven_v3_and_are_taken_out_for_older_models(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, upstream_key):
            headers = {"xi-api-key": api.user()["Authorization"].removeprefix("Bearer ")}
            for model_id in ["eleven_v3", *OLDER]:
                answer = api.client.post(f"/v1/text-to-speech/{RACHEL}", headers=headers,
                                         json={"text": TAGGED, "model_id": model_id})
                assert answer.status_code == 200, answer.text

    sent = {seen.json["model_id"]: seen.json["text"] for seen in speech_requests(proxy)}
    assert sent["eleven_v3"] == TAGGED
    for model_id in OLDER:
        assert "[" not in sent[model_id] and "excited" not in sent[model_id]
        assert sent[model_id] == ('The news came in this morning. <break time="0.5s" /> '
                                  "Nobody else knows yet.")


def test_a_tasks_chunks_lose_their_tags_for_an_older_model_only(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, upstream_key):
            headers = api.user()
            for model_id in ["eleven_v3", "eleven_multilingual_v2"]:
                answer = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
                    "text": TAGGED, "voice_id": RACHEL, "model_id": model_id,
                    "split_type": "sentences", "max_chunk_length": 50})
                assert answer.status_code == 200, answer.text
                status = api.wait(answer.json()["task_id"], headers)
                assert status["status"] == "completed", status

    by_model: dict[str, list[dict[str, str]]] = {}
    for seen in speech_requests(proxy):
        by_model.setdefault(seen.json["model_id"], []).append(seen.json)
    tagged = by_model["eleven_v3"]
    assert len(tagged) >= 2
    assert "[excited]" in "".join(chunk["text"] for chunk in tagged)
    assert any("[whispers]" in chunk.get("previous_text", "") + chunk.get("next_text", "")
               + chunk["text"] for chunk in tagged)
    for chunk in by_model["eleven_multilingual_v2"]:
        for field in ("text", "previous_text", "next_text"):
            assert "[" not in chunk.get(field, ""), chunk
    said = " ".join(chunk["text"] for chunk in by_model["eleven_multilingual_v2"])
    assert "Nobody else knows yet." in said and "<break" in said


def test_a_dialogues_turns_lose_their_tags_for_an_older_model_only(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    inputs = [{"text": "[excited] We won the match!", "voice_id": RACHEL},
              {"text": "[sighs] I missed it again.", "voice_id": RACHEL}]
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, upstream_key):
            headers = {"xi-api-key": api.user()["Authorization"].removeprefix("Bearer ")}
            for model_id in ["eleven_v3", "eleven_multilingual_v2"]:
                api.client.post("/v1/text-to-dialogue", headers=headers,
                                json={"inputs": inputs, "model_id": model_id})

    sent = {seen.json["model_id"]: [turn["text"] for turn in seen.json["inputs"]]
            for seen in proxy.seen if seen.path == "/v1/text-to-dialogue"}
    assert sent["eleven_v3"] == [turn["text"] for turn in inputs]
    assert sent["eleven_multilingual_v2"] == ["We won the match!", "I missed it again."]


@pytest.mark.parametrize("model_id", ["eleven_v3", "eleven_multilingual_v2"])
def test_a_tag_split_across_websocket_messages_is_still_recognised(
        tmp_path: Path, upstream: Server, upstream_key: str, model_id: str) -> None:
    marker = uuid.uuid4().hex[:8]
    sent = [{"text": " "}, {"text": f"Listen {marker} closely. [whis"},
            {"text": "pers] This part is a secret. "}, {"text": "", "flush": True}]
    for api in ws_front(tmp_path, upstream.url, upstream_key):
        answers, code, _ = through_front(api, token(api), sent, f"?model_id={model_id}")
    assert code == 1000, answers
    history = httpx.get(f"{upstream.url}/v1/history", params={"page_size": 100},
                        headers={"xi-api-key": upstream_key}).json()["history"]
    (heard,) = [item["text"] for item in history if marker in item["text"]]
    if model_id == "eleven_v3":
        assert "[whispers]" in heard
    else:
        assert "[" not in heard and "whis" not in heard
        assert "closely." in heard and "This part is a secret." in heard


def test_untagging_keeps_what_is_not_a_tag() -> None:
    assert untagged("See note [1]. [laughs] Fine.") == "See note [1]. Fine."
    assert untagged("Wait [long pause] now") == 'Wait <break time="1.5s" /> now'
    pieces = TagFilter()
    assert pieces.feed("Hello [sig") == "Hello "
    assert pieces.feed("hs] there") == "there"
    assert pieces.feed(" and [unfinish") == " and "
    assert pieces.flush() == "[unfinish"
