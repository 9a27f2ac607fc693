"""Audio uploads are safe: capped in bytes and seconds, charged by the second, refused clearly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.api.conftest import Api, make_api
from tests.recognition.speech import wav


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, whisper_dir: Path) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("uploads"), stt_model=str(whisper_dir),
                        max_request_bytes=64 * 1024, max_upload_bytes=512 * 1024,
                        max_audio_seconds=10, requests_per_minute=10_000)


def key(api: Api, characters: int = 10_000) -> dict[str, str]:
    return {"xi-api-key": api.user(characters)["Authorization"].removeprefix("Bearer ")}


def silence(seconds: float) -> bytes:
    return wav(np.zeros(int(seconds * 16_000), dtype="<i2"), 16_000)


def used(api: Api, headers: dict[str, str]) -> int:
    bearer = {"Authorization": f"Bearer {headers['xi-api-key']}"}
    return int(api.client.get("/api/v1/user/stats", headers=bearer).json()["used_characters"])


def test_audio_is_charged_by_the_second(api: Api) -> None:
    headers = key(api)
    answer = api.client.post("/v1/speech-to-text", headers=headers, data={"model_id": "scribe_v1"},
                             files={"file": ("quiet.wav", silence(2.0), "audio/wav")})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["words"] == [] and body["text"] == "" and body["audio_duration_secs"] == 2.0
    assert used(api, headers) == 30  # 2 s × VOICER_STT_CHARACTERS_PER_SECOND (15)


def test_a_quota_too_small_charges_nothing(api: Api) -> None:
    headers = key(api, characters=20)
    answer = api.client.post("/v1/speech-to-text", headers=headers, data={"model_id": "scribe_v1"},
                             files={"file": ("quiet.wav", silence(2.0), "audio/wav")})
    assert answer.status_code == 403 and answer.json()["detail"]["status"] == "quota_exceeded"
    assert used(api, headers) == 0


def test_a_body_over_the_upload_cap_is_refused_unread(api: Api) -> None:
    answer = api.client.post("/v1/speech-to-text", headers=key(api), data={"model_id": "scribe_v1"},
                             files={"file": ("big.wav", b"\0" * 600_000, "audio/wav")})
    assert answer.status_code == 413
    assert answer.json()["detail"]["message"] == ("request body too large: the limit is "
                                                  "524,288 bytes")


def test_uploads_have_a_larger_cap_than_other_bodies(api: Api) -> None:
    answer = api.client.post("/v1/speech-to-text", headers=key(api), data={"model_id": "scribe_v1"},
                             files={"file": ("quiet.wav", silence(5.0), "audio/wav")})
    assert answer.status_code == 200  # 160 kB: over VOICER_MAX_REQUEST_BYTES, under the upload cap


def test_audio_longer_than_the_cap_is_refused(api: Api) -> None:
    answer = api.client.post("/v1/speech-to-text", headers=key(api), data={"model_id": "scribe_v1"},
                             files={"file": ("long.wav", silence(12.0), "audio/wav")})
    assert answer.status_code == 400
    assert answer.json()["detail"]["message"] == ("file is longer than the limit of 10 seconds "
                                                  "of audio")


@pytest.mark.parametrize(("data", "field"), [
    ({"model_id": "scribe_v1", "cloud_storage_url": "https://example.com/a.mp3"}, "upload it as `file`"),
    ({"model_id": "scribe_v1", "language_code": "xx"}, "language_code 'xx'"),
    ({"model_id": "scribe_v1", "file_format": "pcm_s16le_8"}, "file_format must be"),
    ({"model_id": "scribe_v1", "webhook": "true"}, "webhook delivery"),
    ({"model_id": "scribe_v1", "additional_formats": "[{\"format\": \"docx\"}]"}, "'docx'"),
])
def test_bad_fields_are_named(api: Api, data: dict[str, str], field: str) -> None:
    files = None if "cloud_storage_url" in data else {"file": ("a.wav", silence(0.5), "audio/wav")}
    answer = api.client.post("/v1/speech-to-text", headers=key(api), data=data, files=files)
    assert answer.status_code == 400 and field in answer.json()["detail"]["message"]


def test_raw_pcm_is_taken_as_file_format_says(api: Api) -> None:
    pcm = np.zeros(16_000, dtype="<i2").tobytes()
    answer = api.client.post("/v1/speech-to-text", headers=key(api),
                             data={"model_id": "scribe_v1", "file_format": "pcm_s16le_16"},
                             files={"file": ("a.pcm", pcm, "application/octet-stream")})
    assert answer.status_code == 200 and answer.json()["audio_duration_secs"] == 1.0


def test_without_a_key_nothing_is_read(api: Api) -> None:
    answer = api.client.post("/v1/speech-to-text", data={"model_id": "scribe_v1"},
                             files={"file": ("a.wav", silence(0.5), "audio/wav")})
    assert answer.status_code == 401
