"""Pronunciation dictionaries applied beyond text to speech: Voicer tasks and the WebSocket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import Api, make_api

VOICE = "21m00Tcm4TlvDq8ikWAM"
TEXT = "The UN met today."


@pytest.fixture(scope="module")
def el(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("dictionaries"), requests_per_minute=10_000)


def dictionary(api: Api, headers: dict[str, str]) -> str:
    xi = {"xi-api-key": headers["Authorization"].split()[1]}
    made = api.client.post("/v1/pronunciation-dictionaries/add-from-rules", headers=xi,
                           json={"name": "Acronyms", "rules": [
                               {"type": "alias", "string_to_replace": "UN",
                                "alias": "United Nations"}]})
    assert made.status_code == 200, made.text
    return str(made.json()["id"])


def task_seconds(api: Api, headers: dict[str, str], text: str, **body: object) -> float:
    created = api.client.post("/api/v1/voice/synthesize", headers=headers,
                              json={"text": text, "output_format": "pcm_16000", **body})
    assert created.status_code == 200, created.text
    status = api.wait(created.json()["task_id"], headers)
    assert status["status"] == "completed", status
    return len(api.client.get(f"/api/v1/voice/download/{status['task_id']}",
                              headers=headers).content) / 32_000


def test_a_task_applies_the_dictionaries_it_names(el: Api) -> None:
    headers = el.user()
    locators = [{"pronunciation_dictionary_id": dictionary(el, headers)}]
    aliased = task_seconds(el, headers, TEXT, pronunciation_dictionary_locators=locators)
    assert aliased == pytest.approx(task_seconds(el, headers, "The United Nations met today."),
                                    abs=0.05)
    assert aliased - task_seconds(el, headers, TEXT) > 0.3


def test_a_task_may_not_use_another_users_dictionary(el: Api) -> None:
    theirs = dictionary(el, el.user())
    refused = el.client.post("/api/v1/voice/synthesize", headers=el.user(), json={
        "text": TEXT, "pronunciation_dictionary_locators": [
            {"pronunciation_dictionary_id": theirs}]})
    assert refused.status_code == 400
    assert "pronunciation_dictionary_locators" in refused.text


def test_at_most_three_dictionaries(el: Api) -> None:
    headers = el.user()
    xi = {"xi-api-key": headers["Authorization"].split()[1]}
    mine = dictionary(el, headers)
    answer = el.client.post(f"/v1/text-to-speech/{VOICE}", headers=xi, json={
        "text": TEXT, "pronunciation_dictionary_locators": [
            {"pronunciation_dictionary_id": mine}] * 4})
    assert answer.status_code == 400
    assert "at most 3" in answer.text


def test_the_websocket_applies_dictionaries_from_its_first_message(el: Api) -> None:
    headers = el.user()
    xi = {"xi-api-key": headers["Authorization"].split()[1]}
    mine = dictionary(el, headers)
    with el.client.websocket_connect(f"/v1/text-to-speech/{VOICE}/stream-input"
                                     "?output_format=pcm_16000", headers=xi) as ws:
        ws.send_json({"text": " ", "pronunciation_dictionary_locators": [
            {"pronunciation_dictionary_id": mine}]})
        ws.send_json({"text": TEXT + " ", "flush": True})
        ws.send_json({"text": ""})
        messages = []
        while not (message := ws.receive_json()).get("isFinal"):
            messages.append(message)
    said = "".join("".join(m["normalizedAlignment"]["chars"]) for m in messages
                   if m.get("normalizedAlignment"))
    assert said.strip() == "The United Nations met today."
