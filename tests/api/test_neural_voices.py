"""The neural voices through the API, with their real models: a task in a female (hibari) and a
male (Piper joe) premade English voice, timestamps, the listings, and the voices folder
(a tiny Piper-format model built by the test)."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Api, make_api
from tests.audio_tools import decode_as
from tests.tiny_piper import write_voice

SENTENCES = ["The first sentence.", "A second, longer one follows it.", "Done."]
PAUSE = 1.2
FEMALE = "21m00Tcm4TlvDq8ikWAM"  # Rachel: hibari
MALE = "TxGEqnHWrfWFTfGW9XjX"  # Josh: Piper joe
OWN = "ru_RU-tiny-x_low"  # in the voices folder


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    voices = tmp_path_factory.mktemp("voices")
    write_voice(voices, OWN)
    yield from make_api(tmp_path_factory.mktemp("neural-api"), voices_dir=voices,
                        requests_per_minute=10_000)


def key(api: Api) -> dict[str, str]:
    return {"xi-api-key": api.user()["Authorization"].removeprefix("Bearer ")}


def run_task(api: Api, voice_id: str, split_output: bool, text: str | None = None) -> tuple[dict, bytes]:
    headers = api.user()
    created = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": text or " ".join(SENTENCES), "voice_id": voice_id, "split_type": "sentences",
        "split_output": split_output, "auto_pause_enabled": True, "auto_pause_duration": PAUSE})
    assert created.status_code == 200, created.text
    status = api.wait(created.json()["task_id"], headers)
    assert status["status"] == "completed", status
    download = api.client.get(status["download_url"], headers=headers)
    assert download.status_code == 200
    return status, download.content


@pytest.mark.parametrize("voice_id", [FEMALE, MALE])
def test_a_task_has_its_pauses_and_its_zip_parts_make_the_whole(api: Api, voice_id: str) -> None:
    status, merged = run_task(api, voice_id, split_output=False)
    audio = decode_as(merged, "mp3_44100_128")
    assert audio.rate == 44_100
    assert audio.duration == pytest.approx(status["audio_duration_seconds"], abs=0.005)
    assert [gap for _, gap in audio.gaps(minimum=1.0)] == pytest.approx([PAUSE] * 2, abs=0.03)

    status, zipped = run_task(api, voice_id, split_output=True)
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        parts = [decode_as(archive.read(entry["file"]), "mp3_44100_128")
                 for entry in manifest["chunks"]]
    assert len(parts) == len(SENTENCES)
    assert sum(part.duration for part in parts) == pytest.approx(audio.duration, abs=0.01)


@pytest.mark.parametrize("voice_id", [FEMALE, MALE])
def test_with_timestamps_times_the_words_in_order(api: Api, voice_id: str) -> None:
    text = "Timing, word by word. It keeps its order."
    answer = api.client.post(f"/v1/text-to-speech/{voice_id}/with-timestamps",
                             headers=key(api), json={"text": text})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    audio = decode_as(base64.b64decode(body["audio_base64"]), "mp3_44100_128")
    alignment = body["alignment"]
    assert "".join(alignment["characters"]) == text
    starts = alignment["character_start_times_seconds"]
    words = [starts[i] for i, c in enumerate(text) if c.isalpha() and (i == 0 or text[i - 1] == " ")]
    assert words == sorted(words) and len(set(words)) == len(words)
    start, end = audio.sound_span()
    assert words[0] <= start + 0.15 and words[-1] < end
    assert alignment["character_end_times_seconds"][-1] <= audio.duration + 0.05


def test_voices_say_their_engine_and_languages(api: Api) -> None:
    voices = {v["voice_id"]: v for v in
              api.client.get("/v2/voices", headers=key(api),
                             params={"page_size": 100, "search": ""}).json()["voices"]}
    listed = api.client.get("/v1/voices", headers=key(api)).json()["voices"]
    engines = {v["voice_id"]: v["engine"] for v in listed}
    assert engines[FEMALE] == "hibari" and engines[MALE] == "piper"
    assert engines["en-us-espeak"] == "espeak-ng" and engines[OWN] == "piper"
    own = next(v for v in listed if v["voice_id"] == OWN)
    assert [lang["language"] for lang in own["verified_languages"]] == ["ru"]
    assert voices  # the v2 listing answers too
    models = api.client.get("/v1/models", headers=key(api)).json()
    multilingual = next(m for m in models if m["model_id"] == "eleven_multilingual_v2")
    assert {"en", "ru"} <= {lang["language_id"] for lang in multilingual["languages"]}
    engines = {engine["name"]: engine["languages"] for engine in multilingual["engines"]}
    assert engines["hibari"] == ["en"] and engines["piper"] == ["en", "ru"]
    assert {"en", "ru", "uk"} <= set(engines["espeak-ng"])


def test_a_voice_from_the_voices_folder_speaks_everywhere(api: Api) -> None:
    text = "Привет, мир. Как дела?"
    _, merged = run_task(api, OWN, split_output=False, text=text)
    assert decode_as(merged, "mp3_44100_128").duration > 0.5
    answer = api.client.post(f"/v1/text-to-speech/{OWN}?output_format=pcm_16000",
                             headers=key(api), json={"text": text})
    assert answer.status_code == 200, answer.text
    pcm = decode_as(answer.content, "pcm_16000")
    start, end = pcm.sound_span()
    assert end - start > 0.5


def test_the_voices_folder_is_read_at_start_up(tmp_path: Path) -> None:
    write_voice(tmp_path, "uk_UA-tiny-x_low", language="uk_UA", espeak_voice="uk")
    for api in make_api(tmp_path / "data", voices_dir=tmp_path):
        voice = api.client.get("/v1/voices/uk_UA-tiny-x_low", headers=key(api)).json()
        assert voice["engine"] == "piper"
        assert voice["labels"]["language"] == "uk"


def test_every_voice_has_a_preview_that_plays(api: Api) -> None:
    headers = key(api)
    listed = api.client.get("/v1/voices", headers=headers).json()["voices"]
    assert all(voice["preview_url"] for voice in listed)
    by_id = {voice["voice_id"]: voice["preview_url"] for voice in listed}
    for voice_id in (FEMALE, "ru-natalia"):
        url = by_id[voice_id]
        assert url.endswith(f"/v1/voices/{voice_id}/preview")
        first = api.client.get(url, headers=headers)
        assert first.status_code == 200, first.text
        assert first.headers["content-type"] == "audio/mpeg"
        start, end = decode_as(first.content, "mp3_44100_128").sound_span()
        assert end - start > 1.0
        again = api.client.get(url, headers=headers)  # kept in storage: the same file
        assert again.content == first.content
    previews = list((api.services.runtime.settings.data_dir / "previews").iterdir())
    assert len(previews) == 2
