"""The real app with its audio in a bucket: tasks and ElevenLabs history, nothing on local disk."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Api, make_api
from tests.audio_tools import decode
from tests.storage.conftest import S3Server
from voicer.errors import StorageError

PREFIX = "voicer"
VOICE = "21m00Tcm4TlvDq8ikWAM"


@pytest.fixture(scope="module")
def bucket_api(tmp_path_factory: pytest.TempPathFactory, s3_server: S3Server) -> Iterator[tuple[Api, str]]:
    bucket = s3_server.new_bucket()
    data_dir = tmp_path_factory.mktemp("on-s3")
    for api in make_api(data_dir, storage_url=f"s3://{bucket}/{PREFIX}", requests_per_minute=10_000,
                        **s3_server.settings()):
        yield api, bucket
    assert not (data_dir / "tasks").exists() and not (data_dir / "history").exists()


def stored(s3_server: S3Server, bucket: str, name: str) -> bytes:
    return bytes(s3_server.client().get_object(Bucket=bucket, Key=f"{PREFIX}/{name}")["Body"].read())


def keys(s3_server: S3Server, bucket: str, name: str) -> list[str]:
    listing = s3_server.client().list_objects_v2(Bucket=bucket, Prefix=f"{PREFIX}/{name}")
    return [item["Key"] for item in listing.get("Contents", [])]


def test_a_task_is_downloaded_from_the_bucket(bucket_api: tuple[Api, str], s3_server: S3Server) -> None:
    api, bucket = bucket_api
    headers = api.user()
    created = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": "The first sentence. The second one."}).json()
    task_id = created["task_id"]
    assert api.wait(task_id, headers)["status"] == "completed"
    download = api.client.get(f"/api/v1/voice/download/{task_id}", headers=headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "audio/mpeg"
    assert download.headers["content-disposition"] == f'attachment; filename="voicer-{task_id}.mp3"'
    assert int(download.headers["content-length"]) == len(download.content)
    assert download.content == stored(s3_server, bucket, f"tasks/{task_id}/output.mp3")
    assert decode(download.content).duration > 1.0
    assert keys(s3_server, bucket, f"tasks/{task_id}/chunks/") == []  # removed once assembled


def test_a_split_task_is_a_zip_in_the_bucket(bucket_api: tuple[Api, str], s3_server: S3Server) -> None:
    api, bucket = bucket_api
    headers = api.user()
    task_id = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": "Chapter one.\n\nChapter two.", "split_type": "paragraphs",
        "split_output": True}).json()["task_id"]
    api.wait(task_id, headers)
    download = api.client.get(f"/api/v1/voice/download/{task_id}", headers=headers)
    assert download.headers["content-type"] == "application/zip"
    assert download.content == stored(s3_server, bucket, f"tasks/{task_id}/output.zip")
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert archive.namelist() == ["0001.mp3", "0002.mp3", "manifest.json", "captions.srt",
                                      "captions.vtt", "captions.json"]
        assert decode(archive.read("0002.mp3")).duration > 0.5


def test_a_missing_output_is_404(bucket_api: tuple[Api, str], s3_server: S3Server) -> None:
    api, bucket = bucket_api
    headers = api.user()
    task_id = api.client.post("/api/v1/voice/synthesize", headers=headers,
                              json={"text": "Soon gone."}).json()["task_id"]
    api.wait(task_id, headers)
    s3_server.client().delete_object(Bucket=bucket, Key=f"{PREFIX}/tasks/{task_id}/output.mp3")
    missing = api.client.get(f"/api/v1/voice/download/{task_id}", headers=headers)
    assert missing.status_code == 404
    assert missing.json() == {"detail": f"the output of task {task_id} is not in storage"}


@pytest.mark.parametrize("output_format", ["mp3_44100_128", "wav_22050"])
def test_history_audio_round_trips_through_the_bucket(bucket_api: tuple[Api, str], s3_server: S3Server,
                                                      output_format: str) -> None:
    api, bucket = bucket_api
    key = {"xi-api-key": api.user()["Authorization"].split()[1]}
    spoken = api.client.post(f"/v1/text-to-speech/{VOICE}?output_format={output_format}",
                             headers=key, json={"text": "Keep this in the history."})
    assert spoken.status_code == 200, spoken.text
    assert int(spoken.headers["content-length"]) == len(spoken.content)
    item = spoken.headers["history-item-id"]
    extension = output_format.split("_")[0]
    assert stored(s3_server, bucket, f"history/{item}.{extension}") == spoken.content
    audio = api.client.get(f"/v1/history/{item}/audio", headers=key)
    assert audio.status_code == 200 and audio.content == spoken.content
    if extension == "wav":  # the sizes were written into the header before the upload
        assert struct.unpack("<I", audio.content[4:8])[0] == len(audio.content) - 8
    else:
        assert decode(audio.content).duration > 1.0
    assert api.client.delete(f"/v1/history/{item}", headers=key).status_code == 200
    assert keys(s3_server, bucket, f"history/{item}") == []


def test_a_bad_bucket_stops_the_app_at_start(tmp_path: Path, s3_server: S3Server) -> None:
    with pytest.raises(StorageError, match="s3://missing-bucket/voicer cannot be used"):
        next(make_api(tmp_path, storage_url="s3://missing-bucket/voicer", **s3_server.settings()))
