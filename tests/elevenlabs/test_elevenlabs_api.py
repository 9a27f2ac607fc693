"""The ElevenLabs-compatible routes through the real ASGI app: formats, headers, WebSocket."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator

import av
import numpy as np
import pytest
from starlette.websockets import WebSocketDisconnect

from tests.api.conftest import Api, make_api
from voicer.encoding.formats import FORMATS

VOICE = "21m00Tcm4TlvDq8ikWAM"
TEXT = "Every format carries the same few words of speech."
RAW = {"pcm": "s16le", "ulaw": "mulaw", "alaw": "alaw"}
CODECS = {"mp3": {"mp3", "mp3float"}, "wav": {"pcm_s16le"}, "pcm": {"pcm_s16le"},
          "ulaw": {"pcm_mulaw"}, "alaw": {"pcm_alaw"}, "opus": {"opus", "libopus"}}


@pytest.fixture(scope="module")
def el(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("el"), requests_per_minute=10_000)


def key(api: Api, characters: int = 100_000) -> dict[str, str]:
    return {"xi-api-key": api.user(characters)["Authorization"].split()[1]}


def probe(data: bytes, codec: str, rate: int) -> tuple[str, int, float]:
    """Decode with FFmpeg: codec name, sample rate, seconds."""
    options = {"sample_rate": str(rate), "ch_layout": "mono"} if codec in RAW else {}
    with av.open(io.BytesIO(data), format=RAW.get(codec), options=options) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return stream.codec_context.name, stream.codec_context.sample_rate, samples / rate


@pytest.fixture(scope="module")
def reference(el: Api) -> float:
    """How long the text lasts, from the raw engine output at its own rate."""
    pcm = el.client.post(f"/v1/text-to-speech/{VOICE}?output_format=pcm_22050",
                         headers=key(el), json={"text": TEXT}).content
    return len(pcm) / 2 / 22_050


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_output_format_is_really_that_codec_rate_and_length(el: Api, reference: float,
                                                                  name: str) -> None:
    fmt = FORMATS[name]
    answer = el.client.post(f"/v1/text-to-speech/{VOICE}?output_format={name}", headers=key(el),
                            json={"text": TEXT})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(fmt.media_type)
    codec, rate, seconds = probe(answer.content, fmt.codec, fmt.rate)
    assert codec in CODECS[fmt.codec] and rate == fmt.rate
    assert seconds == pytest.approx(reference, abs=0.1)
    if fmt.codec == "wav":
        assert answer.content[:4] == b"RIFF" and answer.content[4:8] != b"\xff\xff\xff\xff"


def test_responses_carry_request_id_and_character_cost(el: Api) -> None:
    answer = el.client.post(f"/v1/text-to-speech/{VOICE}/stream", headers=key(el),
                            json={"text": TEXT})
    assert answer.headers["request-id"] and answer.headers["history-item-id"]
    assert answer.headers["character-cost"] == answer.headers["x-character-count"] == str(len(TEXT))


def test_voice_settings_change_the_speech(el: Api) -> None:
    def seconds(speed: float) -> float:
        pcm = el.client.post(f"/v1/text-to-speech/{VOICE}?output_format=pcm_16000",
                             headers=key(el), json={"text": TEXT,
                                                    "voice_settings": {"speed": speed}}).content
        return len(pcm) / 32_000
    assert seconds(0.7) > 1.3 * seconds(1.2)


@pytest.mark.parametrize(("body", "location"), [
    ({"text": ""}, ["body", "text"]),
    ({"text": "Hi", "voice_settings": {"stability": 3}}, ["body", "voice_settings", "stability"]),
    ({"text": "Hi", "apply_text_normalization": "maybe"}, ["body", "apply_text_normalization"]),
])
def test_validation_is_422_in_fastapi_shape(el: Api, body: dict, location: list[str]) -> None:
    answer = el.client.post(f"/v1/text-to-speech/{VOICE}", headers=key(el), json=body)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == location


def test_documented_fields_the_engine_cannot_honour_are_accepted(el: Api) -> None:
    answer = el.client.post(f"/v1/text-to-speech/{VOICE}", headers=key(el), json={
        "text": "Hi there.", "seed": 7, "previous_text": "Before.", "next_text": "After.",
        "previous_request_ids": ["a"], "apply_language_text_normalization": True,
        "use_pvc_as_ivc": False, "some_future_field": True})
    assert answer.status_code == 200 and answer.content[:2] == b"\xff\xfb"


def test_quota_is_charged_and_a_refusal_costs_nothing(el: Api) -> None:
    headers = key(el, characters=20)
    assert el.client.post(f"/v1/text-to-speech/{VOICE}", headers=headers,
                          json={"text": "Twelve chars"}).status_code == 200
    refused = el.client.post(f"/v1/text-to-speech/{VOICE}", headers=headers,
                             json={"text": "Twelve chars"})
    assert refused.status_code == 403
    assert refused.json()["detail"]["status"] == "quota_exceeded"
    assert el.client.get("/v1/user/subscription", headers=headers).json()["character_count"] == 12


def test_the_websocket_speaks_text_as_it_arrives(el: Api) -> None:
    with el.client.websocket_connect(f"/v1/text-to-speech/{VOICE}/stream-input"
                                     "?output_format=pcm_16000", headers=key(el)) as ws:
        ws.send_json({"text": " ", "voice_settings": {"speed": 1.0},
                      "generation_config": {"chunk_length_schedule": [50]}})
        ws.send_json({"text": "The first part of the text is long enough to speak now. ",
                      "try_trigger_generation": True})
        first = ws.receive_json()
        ws.send_json({"text": "And a short end. ", "flush": True})
        second = ws.receive_json()
        ws.send_json({"text": ""})
        rest = []
        while not (message := ws.receive_json()).get("isFinal"):
            rest.append(message)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1000
    assert first["isFinal"] is False and first["audio"]
    assert "".join(first["alignment"]["chars"]).strip() == (
        "The first part of the text is long enough to speak now.")
    assert "".join(second["alignment"]["chars"]).strip() == "And a short end."
    pcm = b"".join(base64.b64decode(m["audio"]) for m in [first, second, *rest])
    samples = np.frombuffer(pcm, dtype="<i2")
    assert 3.0 < len(samples) / 16_000 < 15.0 and np.abs(samples).max() > 3_000


def test_the_websocket_takes_the_key_in_the_first_message(el: Api) -> None:
    token = key(el)["xi-api-key"]
    with el.client.websocket_connect(f"/v1/text-to-speech/{VOICE}/stream-input") as ws:
        ws.send_json({"text": " ", "xi_api_key": token})
        ws.send_json({"text": "Hello there. "})
        ws.send_json({"text": ""})
        messages = []
        while not (message := ws.receive_json()).get("isFinal"):
            messages.append(message)
    assert any(m.get("audio") for m in messages)


def test_a_quiet_websocket_is_told_why_it_closes(el: Api) -> None:
    with el.client.websocket_connect(f"/v1/text-to-speech/{VOICE}/stream-input"
                                     "?inactivity_timeout=1", headers=key(el)) as ws:
        ws.send_json({"text": " "})
        said = json.loads(ws.receive_text())  # after a second of silence
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert said["error"] == "input_timeout_exceeded" and "1 s" in said["message"]
    assert closed.value.code == 1008


def test_the_websocket_refuses_a_bad_key(el: Api) -> None:
    with el.client.websocket_connect(f"/v1/text-to-speech/{VOICE}/stream-input",
                                     headers={"xi-api-key": "nope"}) as ws:
        ws.send_json({"text": " "})
        refusal = json.loads(ws.receive_text())
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert "message" in refusal and closed.value.code == 1008
