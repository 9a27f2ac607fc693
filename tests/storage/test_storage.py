"""One contract, two storages: a local directory and a bucket on a real S3-compatible server."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.storage.conftest import S3Server
from voicer.errors import NotFound, StorageError
from voicer.settings import Settings
from voicer.storage import LocalStorage, Storage, Stored, make_storage
from voicer.storage.base import PIECE
from voicer.storage.s3 import S3Storage

MIB = 2**20
PREFIX = "deployments/blue"


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path)
    server: S3Server = request.getfixturevalue("s3_server")
    return S3Storage(server.client(), server.new_bucket(), PREFIX)


def test_a_chunk_round_trips(storage: Storage) -> None:
    assert not storage.has_chunk("t1", 0)
    storage.put_chunk("t1", 0, b"first segment")
    storage.put_chunk("t1", 1, b"second segment")
    assert storage.has_chunk("t1", 0) and storage.has_chunk("t1", 1)
    assert storage.read_chunk("t1", 0) == b"first segment"
    assert storage.read_chunk("t1", 1) == b"second segment"


def test_an_upload_is_kept_until_it_is_removed(storage: Storage) -> None:
    data = os.urandom(200_000)
    storage.put_upload("stt-1", data)
    assert storage.read_upload("stt-1") == data
    storage.remove_upload("stt-1")
    storage.remove_upload("stt-1")  # twice: harmless
    with pytest.raises(NotFound):
        storage.read_upload("stt-1")


def test_writing_the_same_chunk_again_is_harmless(storage: Storage) -> None:
    segment = os.urandom(300_000)
    storage.put_chunk("t1", 4, segment)
    storage.put_chunk("t1", 4, segment)
    assert storage.read_chunk("t1", 4) == segment


def test_chunks_written_at_once_by_several_workers_are_always_whole(storage: Storage) -> None:
    """Two versions of one chunk written again and again while others read it: every read
    gets one version whole, never a mix or a truncated file."""
    versions = [os.urandom(512 * 1024), os.urandom(512 * 1024)]
    storage.put_chunk("t1", 0, versions[0])
    stop = threading.Event()

    def write(version: bytes) -> None:
        for _ in range(12):
            storage.put_chunk("t1", 0, version)

    def read() -> tuple[int, int]:
        reads = torn = 0
        while not stop.is_set():
            reads += 1
            torn += storage.read_chunk("t1", 0) not in versions
        return reads, torn

    with ThreadPoolExecutor(6) as threads:
        readers = [threads.submit(read) for _ in range(2)]
        try:
            for writer in [threads.submit(write, versions[i % 2]) for i in range(4)]:
                writer.result()
        finally:
            stop.set()
        seen = [reader.result() for reader in readers]
    assert all(reads > 0 and torn == 0 for reads, torn in seen)
    assert storage.read_chunk("t1", 0) in versions


def test_removing_chunks_keeps_other_tasks_and_the_output(storage: Storage) -> None:
    with ThreadPoolExecutor(8) as threads:  # more than S3 lists or deletes in one request
        list(threads.map(lambda index: storage.put_chunk("t1", index, b"x"), range(1_003)))
    storage.put_chunk("t2", 0, b"other task")
    with storage.write_output("t1", ".mp3") as file:
        file.write(b"assembled")
    storage.remove_chunks("t1")
    assert not any(storage.has_chunk("t1", index) for index in (0, 999, 1_000, 1_002))
    assert storage.read_chunk("t2", 0) == b"other task"
    assert read_all(storage.open_output("t1", ".mp3")) == b"assembled"
    storage.remove_chunks("never-existed")


def test_a_big_output_is_written_and_read_back_in_pieces(storage: Storage) -> None:
    """20 MiB: uploaded to S3 in parts, read back piece by piece, never whole."""
    data = os.urandom(20 * MIB)
    with storage.write_output("t1", ".zip") as file:
        for start in range(0, len(data), MIB):
            file.write(data[start:start + MIB])
    stored = storage.open_output("t1", ".zip")
    assert stored.size == len(data)
    pieces = list(stored.pieces)
    assert len(pieces) >= len(data) // PIECE and max(map(len, pieces)) <= PIECE
    assert b"".join(pieces) == data


def test_an_output_that_fails_while_written_is_not_stored(storage: Storage) -> None:
    with pytest.raises(RuntimeError), storage.write_output("t1", ".mp3") as file:
        file.write(b"half an output")
        raise RuntimeError("the assembly broke")
    with pytest.raises(NotFound):
        storage.open_output("t1", ".mp3")


def test_history_audio_is_written_seekable_read_back_and_removed(storage: Storage) -> None:
    with storage.write_history("h1", "wav") as file:
        file.write(b"RIFF????WAVE" + b"\x01" * 1000)
        file.seek(4)  # the WAV encoder writes its sizes last
        file.write(b"SIZE")
        file.seek(0, os.SEEK_END)
    stored = storage.open_history("h1", "wav")
    assert stored.size == 1012 and read_all(stored) == b"RIFFSIZEWAVE" + b"\x01" * 1000
    storage.remove_history("h1", "wav")
    with pytest.raises(NotFound, match="history item h1"):
        storage.open_history("h1", "wav")
    storage.remove_history("h1", "wav")


def test_what_is_missing_is_a_clear_not_found(storage: Storage) -> None:
    with pytest.raises(NotFound, match="chunk 3 of task t9 is not in storage"):
        storage.read_chunk("t9", 2)
    with pytest.raises(NotFound, match="the output of task t9 is not in storage"):
        storage.open_output("t9", ".mp3")
    with pytest.raises(NotFound, match="the audio of history item h9 is not in storage"):
        storage.open_history("h9", "mp3")


def test_a_directory_keeps_its_layout_and_no_partial_files(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.put_chunk("t1", 0, b"a")
    storage.put_chunk("t1", 0, b"a")
    with storage.write_output("t1", ".mp3") as file:
        file.write(b"out")
    with storage.write_history("h1", "mp3") as file:
        file.write(b"kept")
    files = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())
    assert files == ["history/h1.mp3", "tasks/t1/chunks/0001.mp3", "tasks/t1/output.mp3"]
    assert storage.open_output("t1", ".mp3").path == tmp_path / "tasks/t1/output.mp3"


def test_a_bucket_keeps_the_same_layout_under_its_prefix(s3_server: S3Server, bucket: str) -> None:
    storage = S3Storage(s3_server.client(), bucket, PREFIX)
    storage.put_chunk("t1", 0, b"a")
    with storage.write_output("t1", ".mp3") as file:
        file.write(b"out")
    with storage.write_history("h1", "mp3") as file:
        file.write(b"kept")
    listing = s3_server.client().list_objects_v2(Bucket=bucket)
    assert sorted(item["Key"] for item in listing["Contents"]) == [
        f"{PREFIX}/history/h1.mp3", f"{PREFIX}/tasks/t1/chunks/0001.mp3", f"{PREFIX}/tasks/t1/output.mp3"]
    assert storage.open_output("t1", ".mp3").path is None


def test_a_big_output_goes_to_the_bucket_in_parts(s3_server: S3Server, bucket: str) -> None:
    storage = S3Storage(s3_server.client(), bucket)
    with storage.write_output("t1", ".mp3") as file:
        file.write(os.urandom(20 * MIB))
    head = s3_server.client().head_object(Bucket=bucket, Key="tasks/t1/output.mp3")
    assert head["ContentLength"] == 20 * MIB
    assert head["ETag"].strip('"').endswith("-2")  # a multipart upload of 16 + 4 MiB


def test_the_default_storage_is_the_data_directory(tmp_path: Path) -> None:
    storage = make_storage(Settings(data_dir=tmp_path))
    assert isinstance(storage, LocalStorage) and storage.root == tmp_path


def test_a_file_url_names_a_shared_directory_that_must_exist(tmp_path: Path) -> None:
    shared = tmp_path / "shared mount"
    settings = Settings(data_dir=tmp_path / "data", storage_url=shared.as_uri())
    with pytest.raises(StorageError, match="does not exist"):
        make_storage(settings)
    shared.mkdir()
    storage = make_storage(settings)
    assert isinstance(storage, LocalStorage) and storage.root == shared


def test_an_s3_url_names_a_bucket_and_a_prefix(s3_server: S3Server, bucket: str) -> None:
    storage = make_storage(Settings(storage_url=f"s3://{bucket}/{PREFIX}/", **s3_server.settings()))
    assert isinstance(storage, S3Storage) and (storage.bucket, storage.prefix) == (bucket, PREFIX)
    storage.put_chunk("t1", 0, b"a")
    assert s3_server.client().get_object(Bucket=bucket, Key=f"{PREFIX}/tasks/t1/chunks/0001.mp3")


def test_a_bucket_that_cannot_be_used_fails_at_start(s3_server: S3Server) -> None:
    settings = Settings(storage_url="s3://no-such-bucket", **s3_server.settings())
    with pytest.raises(StorageError, match="storage s3://no-such-bucket/ cannot be used"):
        make_storage(settings)


@pytest.mark.parametrize("url", ["ftp://host/path", "s3://", "s3:///prefix", "file:relative/path",
                                 "file://host/path", "/just/a/path", "s3://bucket/prefix?x=1"])
def test_a_storage_url_of_no_known_form_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="file:///absolute/path or s3://bucket"):
        Settings(storage_url=url)


def read_all(stored: Stored) -> bytes:
    return b"".join(stored.pieces)
