"""Tasks in every output format the synchronous API speaks: merged or zipped, measured decoded."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Api, make_api
from tests.audio_tools import decode_as
from tests.tone_engine import RATES, speech_seconds, tone_engine
from voicer.encoding.formats import FORMATS

VOICE = "21m00Tcm4TlvDq8ikWAM"
TEXT = "The first sentence is short. Then a second one follows it. And a third ends the text."
PAUSE = 1.2
CODECS = {"mp3": {"mp3", "mp3float"}, "wav": {"pcm_s16le"}, "pcm": {"pcm_s16le"},
          "ulaw": {"pcm_mulaw"}, "alaw": {"pcm_alaw"}, "opus": {"opus", "libopus"}}
SUFFIXES = {"mp3": ".mp3", "wav": ".wav", "pcm": ".pcm", "ulaw": ".ulaw", "alaw": ".alaw",
            "opus": ".ogg"}


def run_task(api: Api, output_format: str, split_output: bool = False,
             text: str = TEXT) -> tuple[dict, bytes, dict[str, str]]:
    """Submit a task split by sentences with a pause after each; its last status and download."""
    headers = api.user()
    created = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": text, "voice_id": VOICE, "split_type": "sentences", "output_format": output_format,
        "split_output": split_output, "auto_pause_enabled": True, "auto_pause_duration": PAUSE})
    assert created.status_code == 200, created.text
    status = api.wait(created.json()["task_id"], headers)
    assert status["status"] == "completed", status
    download = api.client.get(status["download_url"], headers=headers)
    assert download.status_code == 200
    return status, download.content, dict(download.headers)


@pytest.mark.parametrize("output_format", ["opus_48000_64", "pcm_16000", "mp3_22050_32", "wav_24000",
                                           "ulaw_8000", "wav_32000"])
def test_a_merged_task_is_that_codec_and_rate_with_exact_pauses(api: Api, output_format: str) -> None:
    fmt = FORMATS[output_format]
    status, data, headers = run_task(api, output_format)
    suffix = SUFFIXES[fmt.codec]
    assert status["output"] == suffix.lstrip(".")
    assert headers["content-type"].startswith(fmt.media_type)
    assert headers["content-disposition"].endswith(f'{suffix}"')
    audio = decode_as(data, output_format)
    assert audio.codec in CODECS[fmt.codec] and audio.rate == fmt.rate
    assert audio.duration == pytest.approx(status["audio_duration_seconds"], abs=0.005)
    assert [gap for _, gap in audio.gaps(minimum=1.0)] == pytest.approx([PAUSE] * 2, abs=0.03)
    if fmt.codec == "wav":  # one header, with the true size
        assert data[:4] == b"RIFF" and data.count(b"RIFF") == 1
        assert int.from_bytes(data[40:44], "little") == len(data) - 44


@pytest.mark.parametrize("output_format", ["opus_48000_64", "pcm_16000", "mp3_22050_32", "wav_24000"])
def test_a_zipped_task_holds_a_file_per_chunk_in_that_format(api: Api, output_format: str) -> None:
    fmt = FORMATS[output_format]
    status, data, headers = run_task(api, output_format, split_output=True)
    assert status["output"] == "zip" and headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        files = [archive.read(entry["file"]) for entry in manifest["chunks"]]
    suffix = SUFFIXES[fmt.codec]
    assert [entry["file"] for entry in manifest["chunks"]] == [f"000{i}{suffix}" for i in (1, 2, 3)]
    parts = [decode_as(file, output_format) for file in files]
    assert all(part.rate == fmt.rate and part.codec in CODECS[fmt.codec] for part in parts)
    for part, entry in zip(parts, manifest["chunks"], strict=True):
        assert part.duration == pytest.approx(entry["duration_seconds"], abs=0.005)
    assert sum(part.duration for part in parts) == pytest.approx(status["audio_duration_seconds"],
                                                                 abs=0.01)
    # each chunk but the last ends with its pause
    for part in parts[:-1]:
        silent_end = part.duration - part.sound_span()[1]
        assert PAUSE - 0.1 < silent_end < PAUSE + 0.03


@pytest.fixture(scope="module", params=RATES, ids=[f"{rate}Hz" for rate in RATES])
def tones(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    folder: Path = tmp_path_factory.mktemp(f"tones{request.param}")
    yield from make_api(folder, tone_engine(request.param), requests_per_minute=10_000)


@pytest.mark.parametrize("output_format", ["mp3_44100_128", "opus_48000_64"])
def test_any_engine_rate_gives_a_task_its_planned_duration(tones: Api, output_format: str) -> None:
    sentences = ["One tone.", "Another, longer tone.", "Last."]
    status, data, _ = run_task(tones, output_format, text=" ".join(sentences))
    audio = decode_as(data, output_format)
    assert audio.rate == FORMATS[output_format].rate
    start, end = audio.sound_span()
    planned = sum(map(speech_seconds, sentences)) + 2 * PAUSE
    assert end - start == pytest.approx(planned, abs=0.03)
    assert [gap for _, gap in audio.gaps(minimum=1.0)] == pytest.approx([PAUSE] * 2, abs=0.03)
    assert audio.duration == pytest.approx(status["audio_duration_seconds"], abs=0.005)


@pytest.mark.parametrize("output_format", ["mp3_44100_128", "opus_48000_64", "pcm_32000"])
def test_any_engine_rate_gives_a_synchronous_request_its_duration(tones: Api,
                                                                  output_format: str) -> None:
    text = "A single sentence of tone."
    user = tones.user()["Authorization"].split()[1]
    answer = tones.client.post(f"/v1/text-to-speech/{VOICE}?output_format={output_format}",
                               headers={"xi-api-key": user}, json={"text": text})
    assert answer.status_code == 200, answer.text
    audio = decode_as(answer.content, output_format)
    assert audio.rate == FORMATS[output_format].rate
    start, end = audio.sound_span()
    assert end - start == pytest.approx(speech_seconds(text), abs=0.03)
