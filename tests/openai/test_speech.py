"""The official ``openai`` SDK's ``audio.speech.create`` against a live Voicer: every format,
whole and streamed, Server-Sent Events, speed, instructions, voices, and OpenAI's errors."""

from __future__ import annotations

import base64
import json

import numpy as np
import openai
import pytest
from openai import OpenAI

from tests.api.conftest import Server
from tests.audio_tools import Decoded, decode_as, median_pitch

TEXT = "The weather was calm on the morning of the first day."

# response_format → what it decodes as: the name decode_as reads, the rate it is made at
FORMATS = {"mp3": ("mp3_44100", 44_100), "opus": ("opus_48000", 48_000),
           "aac": ("aac_24000", 24_000), "flac": ("flac_24000", 24_000),
           "wav": ("wav_24000", 24_000), "pcm": ("pcm_24000", 24_000)}


def heard(data: bytes, response_format: str) -> Decoded:
    """The audio decoded, checked to be speech: a sentence's length, and not silence."""
    name, rate = FORMATS[response_format]
    audio = decode_as(data, name)
    assert audio.rate == rate
    assert 1.5 < audio.duration < 8.0, audio.duration
    assert np.sqrt(np.mean(audio.samples ** 2)) > 0.01  # louder than -40 dBFS
    return audio


def loudness(audio: Decoded) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(audio.samples ** 2))))


@pytest.mark.parametrize("response_format", list(FORMATS))
def test_every_format_whole_and_streamed(client: OpenAI, response_format: str) -> None:
    asked = {"model": "tts-1", "voice": "coral", "input": TEXT, "response_format": response_format}
    whole = heard(client.audio.speech.create(**asked).content, response_format)  # type: ignore[arg-type]
    with client.audio.speech.with_streaming_response.create(**asked) as response:  # type: ignore[arg-type]
        pieces = list(response.iter_bytes())
    streamed = heard(b"".join(pieces), response_format)
    assert abs(whole.duration - streamed.duration) < 0.1


def test_server_sent_events(client: OpenAI) -> None:
    with client.audio.speech.with_streaming_response.create(
            model="gpt-4o-mini-tts", voice="nova", input=f"{TEXT} {TEXT}", stream_format="sse") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line.removeprefix("data: ")) for line in response.iter_lines()
                  if line.startswith("data: ")]
    *deltas, done = events
    assert len(deltas) >= 2 and {event["type"] for event in deltas} == {"speech.audio.delta"}
    assert done == {"type": "speech.audio.done",
                    "usage": {"input_tokens": 2 * len(TEXT) + 1, "output_tokens": 0,
                              "total_tokens": 2 * len(TEXT) + 1}}
    audio = decode_as(b"".join(base64.b64decode(event["audio"]) for event in deltas), "mp3_44100")
    assert audio.duration > 3.0


def test_speed_and_instructions(client: OpenAI) -> None:
    def said(**asked: object) -> Decoded:
        data = client.audio.speech.create(model="gpt-4o-mini-tts", voice="echo", input=TEXT,
                                          response_format="wav", **asked).content  # type: ignore[arg-type]
        return decode_as(data, "wav_24000")

    plain, fast = said(), said(speed=2.0)
    assert fast.duration < 0.7 * plain.duration
    whispered = said(instructions="Whisper it, as if telling a secret.")
    assert loudness(whispered) < loudness(plain) - 6
    assert said(instructions="Speak like a pirate.").duration == pytest.approx(plain.duration,
                                                                               abs=0.1)


def test_voices_by_gender_and_by_voicer_id(client: OpenAI) -> None:
    def pitch(voice: object) -> float:
        data = client.audio.speech.create(model="tts-1-hd", voice=voice, input=TEXT,  # type: ignore[arg-type]
                                          response_format="pcm").content
        audio = heard(data, "pcm")
        return median_pitch(audio.samples, audio.rate)

    female, male = pitch("shimmer"), pitch("onyx")
    assert female > 1.4 * male
    assert pitch("en-us-joe") < 1.2 * male  # a Voicer voice id, as the voice
    assert pitch({"id": "en-us-heart"}) > 1.4 * male  # a custom voice object


def error_of(refusal: openai.APIStatusError) -> dict[str, object]:
    body: dict[str, dict[str, object]] = refusal.response.json()
    assert set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


@pytest.mark.parametrize(("field", "asked"), [
    ("input", {"input": "x" * 4_097}),
    ("input", {"input": ""}),
    ("voice", {"voice": "nobody"}),
    ("model", {"model": "tts-9"}),
    ("speed", {"speed": 4.5}),
    ("response_format", {"response_format": "ogg"}),
])
def test_bad_requests_name_the_field(client: OpenAI, field: str, asked: dict[str, object]) -> None:
    request = {"model": "tts-1", "voice": "alloy", "input": TEXT, **asked}
    with pytest.raises(openai.BadRequestError) as refused:
        client.audio.speech.create(**request)  # type: ignore[arg-type]
    error = error_of(refused.value)
    assert (error["param"], error["type"]) == (field, "invalid_request_error")
    if field == "input" and asked["input"]:
        assert "4,096" in str(error["message"])


def test_tokens_and_quotas(server: Server) -> None:
    with OpenAI(base_url=f"{server.url}/v1", api_key="not-a-token", max_retries=0) as stranger, \
            pytest.raises(openai.AuthenticationError) as refused:
        stranger.audio.speech.create(model="tts-1", voice="alloy", input=TEXT)
    assert error_of(refused.value)["code"] == "invalid_api_key"
    with OpenAI(base_url=f"{server.url}/v1", api_key=server.token(characters=10),
                max_retries=0) as poor, pytest.raises(openai.PermissionDeniedError) as refused:
        poor.audio.speech.create(model="tts-1", voice="alloy", input=TEXT)
    assert error_of(refused.value)["code"] == "insufficient_quota"
