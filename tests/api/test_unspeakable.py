"""Text with nothing to speak: its chunks become short silences, and every route answers audio."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import numpy as np
import pytest

from tests.api.conftest import Api
from tests.audio_tools import SILENT, Decoded, decode

UNSPEAKABLE = {
    "a full stop": ".",
    "an ellipsis": "...",
    "a dash": "—",
    "brackets": "()",
    "control characters": "\x01\x02",
    "an unassigned tag": "\U000e0080",
    "an unassigned code point": "\u0378",
    "zero-width joiners": "\u200d\u200d\u200d",
}
ENDS_UNSPOKEN = "Chapter one ends here.\n\n..."
TTS = "/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM"


def completed(api: Api, headers: dict[str, str], **body: object) -> tuple[dict, bytes]:
    """Submit a task, wait for it to end; its status and its download."""
    created = api.client.post("/api/v1/voice/synthesize", headers=headers, json=body)
    assert created.status_code == 200, created.text
    status = api.wait(created.json()["task_id"], headers)
    assert status["status"] == "completed", status["error"]
    assert status["error"] is None
    download = api.client.get(status["download_url"], headers=headers)
    assert download.status_code == 200
    return status, download.content


def silent(audio: Decoded) -> bool:
    return not np.any(np.abs(audio.samples) > SILENT)


@pytest.mark.parametrize("text", UNSPEAKABLE.values(), ids=UNSPEAKABLE.keys())
def test_a_task_with_nothing_to_speak_completes_with_a_short_silence(api: Api, text: str) -> None:
    status, mp3 = completed(api, api.user(), text=text)
    audio = decode(mp3)
    assert audio.duration == pytest.approx(status["audio_duration_seconds"], abs=0.001)
    assert 0.1 <= audio.duration < 0.5 and silent(audio)


def test_an_unspeakable_last_chunk_is_a_short_silence_after_the_speech(api: Api) -> None:
    status, mp3 = completed(api, api.user(), text=ENDS_UNSPOKEN, split_type="paragraphs")
    assert status["chunks_total"] == 2
    audio = decode(mp3)
    assert audio.duration == pytest.approx(status["audio_duration_seconds"], abs=0.001)
    _, speech_end = audio.sound_span()
    # the first chunk's own pause after its sentence (at least 0.1 s), then the second's 0.1 s
    assert 0.2 <= audio.duration - speech_end < 1.0


def test_an_unspeakable_chunk_is_a_silent_file_of_its_own_in_the_zip(api: Api) -> None:
    status, data = completed(api, api.user(), text=ENDS_UNSPOKEN, split_type="paragraphs",
                             split_output=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        last = decode(archive.read("0002.mp3"))
    entry = manifest["chunks"][1]
    assert entry["text"] == "..." and entry["speech_seconds"] == 0
    assert last.duration == pytest.approx(entry["duration_seconds"], abs=0.001)
    assert entry["duration_seconds"] >= 0.1 and silent(last)
    assert manifest["duration_seconds"] == pytest.approx(status["audio_duration_seconds"], abs=0.001)


def test_a_long_text_of_zero_width_joiners_completes_and_is_charged_once(api: Api) -> None:
    headers = api.user(characters=100_000)
    status, mp3 = completed(api, headers, text="\u200d" * 100_000)
    assert status["chunks_total"] == 50
    audio = decode(mp3)
    assert audio.duration == pytest.approx(status["audio_duration_seconds"], abs=0.001)
    assert silent(audio)
    stats = api.client.get("/api/v1/user/stats", headers=headers).json()
    assert stats["used_characters"] == 100_000


@pytest.mark.parametrize("text", [*UNSPEAKABLE.values(), ENDS_UNSPOKEN],
                         ids=[*UNSPEAKABLE.keys(), "an unspeakable last paragraph"])
def test_the_elevenlabs_routes_speak_it(api: Api, text: str) -> None:
    key = {"xi-api-key": api.user()["Authorization"].split()[1]}
    for path in (TTS, f"{TTS}/stream"):
        answer = api.client.post(path, headers=key, json={"text": text})
        assert answer.status_code == 200, answer.text
        decode(answer.content)
    timed = api.client.post(f"{TTS}/with-timestamps", headers=key, json={"text": text})
    assert timed.status_code == 200, timed.text
    body = timed.json()
    decode(base64.b64decode(body["audio_base64"]))
    assert body["alignment"]["characters"] == list(text)
