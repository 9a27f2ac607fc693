"""An engine registered beside espeak-ng (``tests/tone_engine.py``'s ``TONE``) speaks its own
voice through every route, with no other change: Voicer tasks, ElevenLabs text to speech,
the stream-input WebSocket and history. Durations are measured on the decoded audio."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.api.conftest import Api, make_api
from tests.audio_tools import decode, decode_as
from tests.tone_engine import TONE, TONE_VOICE_ID, speech_seconds

SENTENCES = ["One tone.", "Another, longer tone.", "Last."]
TEXT = "A single sentence of tone."
PAUSE = 1.2
ESPEAK_VOICE = "en-us-espeak"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("extra-engine"), engines=[TONE],
                        requests_per_minute=10_000)


def key(api: Api) -> dict[str, str]:
    return {"xi-api-key": api.user()["Authorization"].removeprefix("Bearer ")}


def run_task(api: Api, output_format: str, split_output: bool) -> tuple[dict, bytes]:
    headers = api.user()
    created = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": " ".join(SENTENCES), "voice_id": TONE_VOICE_ID, "split_type": "sentences",
        "output_format": output_format, "split_output": split_output,
        "auto_pause_enabled": True, "auto_pause_duration": PAUSE})
    assert created.status_code == 200, created.text
    status = api.wait(created.json()["task_id"], headers)
    assert status["status"] == "completed", status
    download = api.client.get(status["download_url"], headers=headers)
    assert download.status_code == 200
    return status, download.content


def sounding(data: bytes, output_format: str) -> float:
    """Seconds from the first sound to the last."""
    start, end = decode_as(data, output_format).sound_span()
    return end - start


def test_its_voice_is_listed_beside_espeak_ngs(api: Api) -> None:
    voices = api.client.get("/v1/voices", headers=key(api)).json()["voices"]
    ids = {voice["voice_id"] for voice in voices}
    assert {TONE_VOICE_ID, ESPEAK_VOICE} <= ids
    engines = api.client.get("/").json()["engines"]
    assert [(e["name"], e["default"]) for e in engines] == [
        ("espeak-ng", True), ("hibari", False), ("piper", False), ("tone", False)]
    assert engines[-1]["voices"] == 1 and engines[0]["voices"] >= 50


@pytest.mark.parametrize("output_format", ["mp3_44100_128", "opus_48000_64"])
def test_a_merged_task_lasts_its_tones_and_pauses(api: Api, output_format: str) -> None:
    status, data = run_task(api, output_format, split_output=False)
    audio = decode_as(data, output_format)
    start, end = audio.sound_span()
    assert end - start == pytest.approx(sum(map(speech_seconds, SENTENCES)) + 2 * PAUSE, abs=0.03)
    assert [gap for _, gap in audio.gaps(minimum=1.0)] == pytest.approx([PAUSE] * 2, abs=0.03)
    assert audio.duration == pytest.approx(status["audio_duration_seconds"], abs=0.005)


@pytest.mark.parametrize("output_format", ["mp3_44100_128", "opus_48000_64"])
def test_a_zipped_task_holds_one_tone_per_sentence(api: Api, output_format: str) -> None:
    status, data = run_task(api, output_format, split_output=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        files = [archive.read(entry["file"]) for entry in manifest["chunks"]]
    assert [sounding(file, output_format) for file in files] == pytest.approx(
        [speech_seconds(sentence) for sentence in SENTENCES], abs=0.03)
    total = sum(decode_as(file, output_format).duration for file in files)
    assert total == pytest.approx(status["audio_duration_seconds"], abs=0.01)


@pytest.mark.parametrize("route", ["", "/stream"])
def test_text_to_speech_speaks_the_tone(api: Api, route: str) -> None:
    answer = api.client.post(f"/v1/text-to-speech/{TONE_VOICE_ID}{route}", headers=key(api),
                             json={"text": TEXT})
    assert answer.status_code == 200, answer.text
    assert sounding(answer.content, "mp3_44100_128") == pytest.approx(speech_seconds(TEXT),
                                                                      abs=0.03)


def test_with_timestamps_times_every_character(api: Api) -> None:
    answer = api.client.post(f"/v1/text-to-speech/{TONE_VOICE_ID}/with-timestamps",
                             headers=key(api), json={"text": TEXT})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    audio = decode_as(base64.b64decode(body["audio_base64"]), "mp3_44100_128")
    start, end = audio.sound_span()
    assert end - start == pytest.approx(speech_seconds(TEXT), abs=0.03)
    assert "".join(body["alignment"]["characters"]) == TEXT
    assert body["alignment"]["character_end_times_seconds"][-1] <= audio.duration + 0.05


def test_stream_with_timestamps_times_every_character(api: Api) -> None:
    answer = api.client.post(f"/v1/text-to-speech/{TONE_VOICE_ID}/stream/with-timestamps",
                             headers=key(api), json={"text": TEXT})
    assert answer.status_code == 200, answer.text
    lines = [json.loads(line) for line in answer.text.splitlines() if line]
    audio = b"".join(base64.b64decode(line["audio_base64"]) for line in lines)
    characters = [c for line in lines if line["alignment"]
                  for c in line["alignment"]["characters"]]
    assert "".join(characters) == TEXT
    assert sounding(audio, "mp3_44100_128") == pytest.approx(speech_seconds(TEXT), abs=0.03)


def test_stream_input_speaks_it_and_history_keeps_it(api: Api) -> None:
    headers = key(api)
    url = f"/v1/text-to-speech/{TONE_VOICE_ID}/stream-input"
    answers: list[dict[str, Any]] = []
    with api.client.websocket_connect(url, headers=headers) as ws:
        ws.send_json({"text": " "})
        ws.send_json({"text": TEXT, "flush": True})
        ws.send_json({"text": ""})
        try:
            while True:
                answers.append(ws.receive_json())
        except WebSocketDisconnect as closed:
            assert closed.code == 1000
    sent = b"".join(base64.b64decode(a["audio"]) for a in answers if a.get("audio"))
    assert sounding(sent, "mp3_44100_128") == pytest.approx(speech_seconds(TEXT), abs=0.03)

    [item] = api.client.get("/v1/history", headers=headers).json()["history"]
    assert item["voice_id"] == TONE_VOICE_ID
    kept = api.client.get(f"/v1/history/{item['history_item_id']}/audio", headers=headers)
    assert kept.status_code == 200
    assert decode(kept.content).duration == pytest.approx(decode(sent).duration, abs=0.05)


def test_espeak_ng_still_speaks_its_own_voices(api: Api) -> None:
    answer = api.client.post(f"/v1/text-to-speech/{ESPEAK_VOICE}", headers=key(api),
                             json={"text": TEXT})
    assert answer.status_code == 200, answer.text
    # espeak-ng's words, not a tone: a different length than the tone engine's
    assert sounding(answer.content, "mp3_44100_128") > speech_seconds(TEXT) + 0.2


def test_a_break_is_an_exact_silence_in_its_voice_too(api: Api) -> None:
    answer = api.client.post(f"/v1/text-to-speech/{TONE_VOICE_ID}?output_format=pcm_24000",
                             headers=key(api),
                             json={"text": 'One tone. <break time="1.5s"/> Another tone.'})
    assert answer.status_code == 200, answer.text
    gaps = [length for _, length in decode_as(answer.content, "pcm_24000").gaps(minimum=0.8)]
    assert gaps == pytest.approx([1.5], abs=0.03)
