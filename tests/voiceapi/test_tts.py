"""The Voice API's text to speech against a live Voicer: a two-speaker script with cues,
submitted, polled to `succeeded` and downloaded; cues never spoken."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import Server
from tests.audio_tools import decode, median_pitch
from tests.waiting import wait_until
from voicer.recognition.clip import decode as decode_clip
from voicer.recognition.wer import words
from voicer.recognition.whisper import WhisperRecognizer
from voicer.voiceapi.script import parse, without_cues

RACHEL = "21m00Tcm4TlvDq8ikWAM"  # a female premade voice
ADAM = "pNInz6obpgDQGcFmaJgB"  # a male one
SCRIPT = ("[S1] [excited] Good morning! The sun is finally out today. "
          "[S2] [sigh] I barely slept at all. [pause] The storm kept me awake all night.")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("voice-api"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def headers(server: Server) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token(characters=10_000)}"}


def finished(server: Server, headers: dict[str, str], task_id: str) -> dict[str, object]:
    def ended() -> dict[str, object] | None:
        status = httpx.get(f"{server.url}/v1/tts/{task_id}", headers=headers).json()
        return status if status["status"] in ("succeeded", "failed") else None

    return wait_until(ended, 120, "the tts task to end")


def test_health_is_public(server: Server) -> None:
    answer = httpx.get(f"{server.url}/v1/health")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_a_two_speaker_script_is_spoken_in_two_voices_without_its_cues(
        server: Server, headers: dict[str, str], recognizer: WhisperRecognizer) -> None:
    submitted = httpx.post(f"{server.url}/v1/tts", headers=headers,
                           json={"text": SCRIPT, "model_ids": [RACHEL, ADAM]})
    assert submitted.status_code == 200, submitted.text
    task = submitted.json()
    assert task["status"] in ("pending", "processing") and task["speakers"] == 2
    lines = parse(SCRIPT, [RACHEL, ADAM])
    assert task["characters"] == sum(len(line.text) for line in lines)
    status = finished(server, headers, task["task_id"])
    assert status["status"] == "succeeded" and status["progress"] == 100
    audio = httpx.get(f"{server.url}/v1/tts/{task['task_id']}/audio", headers=headers)
    assert audio.headers["content-type"] == "audio/mpeg"
    assert f'{task["task_id"]}.mp3' in audio.headers["content-disposition"]
    decoded = decode(audio.content)
    assert decoded.duration == pytest.approx(status["duration"], abs=0.15)
    # the first speaker's line, then the second's: a female voice, then a male one
    third = len(decoded.samples) // 3
    female = median_pitch(decoded.samples[:third], decoded.rate)
    male = median_pitch(decoded.samples[-third:], decoded.rate)
    assert female >= 1.15 * male > 0
    heard = words(" ".join(w.text for w in recognizer.recognize(
        decode_clip(io.BytesIO(audio.content), 600), "en").words))
    assert not {"excited", "sigh", "pause", "s1", "s2"} & set(heard)
    assert {"morning", "storm"} <= set(heard)


def test_cues_and_markers_are_not_charged_nor_spoken() -> None:
    assert without_cues("[whisper] Quiet now. [long pause] Go.") == (
        'Quiet now. <break time="1.5s"/> Go.')
    lines = parse("Speaker 1: Hi.\nSpeaker 2: [laughs] Hello!\n[S1] Bye.", ["a", "b"])
    assert [(line.text, line.voice_id) for line in lines] == [("Hi.", "a"), ("Hello!", "b"),
                                                              ("Bye.", "a")]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"text": "[S3] Who am I?", "model_ids": [RACHEL, ADAM]}, 400, "model_ids"),
    ({"text": "[S1] Hello.", "model_ids": ["no-such-voice"]}, 400, "no-such-voice"),
    ({"text": "[excited] [sigh]"}, 400, "text"),
])
def test_bad_scripts_are_refused(server: Server, headers: dict[str, str],
                                 body: dict[str, object], status: int, field: str) -> None:
    answer = httpx.post(f"{server.url}/v1/tts", headers=headers, json=body)
    assert answer.status_code == status and field in answer.text


def test_another_users_task_is_not_found(server: Server, headers: dict[str, str]) -> None:
    task = httpx.post(f"{server.url}/v1/tts", headers=headers,
                      json={"text": "Mine alone."}).json()
    other = {"xi-api-key": server.token(characters=100)}
    for path in ("", "/audio"):
        assert httpx.get(f"{server.url}/v1/tts/{task['task_id']}{path}",
                         headers=other).status_code == 404
    finished(server, headers, task["task_id"])
