"""SSML through the real app: prosody, breaks, aliases and languages heard; tags never said."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import numpy as np
import pytest

from tests.api.conftest import Api, make_api
from tests.audio_tools import decode, decode_as

VOICE = "21m00Tcm4TlvDq8ikWAM"


@pytest.fixture(scope="module")
def el(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("ssml"), requests_per_minute=10_000)


def key(api: Api) -> dict[str, str]:
    return {"xi-api-key": api.user(100_000)["Authorization"].split()[1]}


def pcm(api: Api, text: str) -> np.ndarray:
    answer = api.client.post(f"/v1/text-to-speech/{VOICE}?output_format=pcm_22050",
                             headers=key(api), json={"text": text})
    assert answer.status_code == 200, answer.text
    return decode_as(answer.content, "pcm_22050").samples


def sounding(samples: np.ndarray) -> float:
    loud = np.flatnonzero(np.abs(samples) > 256 / 32_768)
    return (loud[-1] - loud[0]) / 22_050


def test_prosody_rate_slows_the_stretch_it_wraps(el: Api) -> None:
    plain = sounding(pcm(el, "<speak>This sentence is said at its own pace.</speak>"))
    slow = sounding(pcm(el, '<speak><prosody rate="slow">This sentence is said at its own '
                            "pace.</prosody></speak>"))
    assert slow / plain == pytest.approx(1 / 0.8, rel=0.1)


def test_prosody_volume_makes_it_louder(el: Api) -> None:
    plain = pcm(el, "<speak>Loud and clear.</speak>")
    loud = pcm(el, '<speak><prosody volume="+6dB">Loud and clear.</prosody></speak>')
    gain = np.sqrt(np.mean(loud ** 2)) / np.sqrt(np.mean(plain ** 2))
    assert 20 * np.log10(gain) == pytest.approx(6.0, abs=1.0)


def test_a_break_strength_is_an_exact_silence(el: Api) -> None:
    samples = pcm(el, '<speak>Breathe in. <break strength="x-strong"/> Breathe out.</speak>')
    decoded = decode_as((samples * 32_768).astype("<i2").tobytes(), "pcm_22050")
    assert [length for _, length in decoded.gaps(minimum=0.6)] == pytest.approx([1.2], abs=0.03)


def test_an_alias_and_a_language_are_heard(el: Api) -> None:
    aliased = sounding(pcm(el, '<speak>The <sub alias="World Health Organization">WHO</sub> '
                               "met.</speak>"))
    assert aliased == pytest.approx(
        sounding(pcm(el, "<speak>The World Health Organization met.</speak>")), abs=0.05)
    ukrainian = sounding(pcm(el, '<speak><lang xml:lang="uk">Привіт, як справи?</lang></speak>'))
    as_english = sounding(pcm(el, '<speak><lang xml:lang="en">Привіт, як справи?</lang></speak>'))
    assert abs(ukrainian - as_english) > 0.3


def test_tags_are_never_said_and_timestamps_keep_the_text_sent(el: Api) -> None:
    text = '<speak>One <emphasis level="strong">two</emphasis> three.</speak>'
    answer = el.client.post(f"/v1/text-to-speech/{VOICE}/with-timestamps", headers=key(el),
                            json={"text": text}).json()
    assert "".join(answer["alignment"]["characters"]) == text
    assert "".join(answer["normalized_alignment"]["characters"]) == "One two three."


def test_a_long_document_keeps_its_prosody_across_chunks(el: Api) -> None:
    headers = el.user()
    body = "A sentence said slowly. " * 8

    def task_seconds(text: str) -> float:
        created = el.client.post("/api/v1/voice/synthesize", headers=headers, json={
            "text": text, "split_type": "sentences"})
        assert created.status_code == 200, created.text
        status = el.wait(created.json()["task_id"], headers)
        assert status["status"] == "completed", status
        return decode(el.client.get(status["download_url"], headers=headers).content).duration
    plain = task_seconds(f"<speak>{body}</speak>")
    slow = task_seconds(f'<speak><prosody rate="slow">{body}</prosody></speak>')
    assert slow / plain > 1.15


def test_malformed_ssml_is_a_400_saying_where(el: Api) -> None:
    answer = el.client.post(f"/v1/text-to-speech/{VOICE}", headers=key(el),
                            json={"text": "<speak>Hello <prosody rate='slow'>there</speak>"})
    assert answer.status_code == 400
    assert "SSML at character 39: </speak> closes <prosody>" in answer.text


def test_the_websocket_reads_ssml_when_asked(el: Api) -> None:
    with el.client.websocket_connect(f"/v1/text-to-speech/{VOICE}/stream-input"
                                     "?output_format=pcm_22050&enable_ssml_parsing=true",
                                     headers=key(el)) as ws:
        ws.send_json({"text": " ", "generation_config": {"chunk_length_schedule": [5]}})
        ws.send_json({"text": "Say <sub alias=\"World Health"})
        ws.send_json({"text": ' Organization">WHO</sub> now. '})
        ws.send_json({"text": ""})
        messages = []
        while not (message := ws.receive_json()).get("isFinal"):
            messages.append(message)
    said = "".join("".join(m["normalizedAlignment"]["chars"]) for m in messages
                   if m.get("normalizedAlignment"))
    assert " ".join(said.split()) == "Say World Health Organization now."
    assert b"".join(base64.b64decode(m["audio"]) for m in messages if m.get("audio"))
