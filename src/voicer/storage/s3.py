"""Storage in a bucket of S3 or an S3-compatible service (MinIO, Ceph, R2, ...), under a key prefix.

Chunks are single PUTs, which S3 makes whole or absent. Outputs and history audio are
written to a local temporary file first, then uploaded from disk (in parts when big), so
memory stays flat however long the audio is.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from voicer.errors import NotFound, StorageError
from voicer.storage.base import (
    PIECE,
    Stored,
    chunk_name,
    chunks_name,
    history_name,
    output_name,
    preview_name,
    upload_name,
)

if TYPE_CHECKING:
    from botocore.response import StreamingBody
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

    from voicer.settings import Settings

MIB = 2**20
# Uploading from a file reads each part from disk as it is sent.
TRANSFER = TransferConfig(multipart_threshold=16 * MIB, multipart_chunksize=16 * MIB,
                          max_concurrency=4)
# An object store under many writers answers 500/503 now and then: more tries than boto3's 3,
# still with its backoff, before a chunk's write counts as failed (and its job is retried).
CLIENT = Config(connect_timeout=10, retries={"mode": "standard", "max_attempts": 6},
                max_pool_connections=32)
_MISSING = frozenset({"NoSuchKey", "NotFound", "404"})


class S3Storage:
    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    @classmethod
    def connect(cls, settings: Settings, bucket: str, prefix: str) -> S3Storage:
        """A client from the settings, or boto3's usual sources where they say nothing;
        checked against the bucket so that bad settings fail at start-up."""
        secret = settings.s3_secret_access_key
        try:
            client = boto3.session.Session().client(
                "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region,
                aws_access_key_id=settings.s3_access_key_id,
                aws_secret_access_key=secret.get_secret_value() if secret else None, config=CLIENT)
            client.head_bucket(Bucket=bucket)
        except (BotoCoreError, ClientError) as error:
            raise StorageError(f"storage s3://{bucket}/{prefix} cannot be used: {error}") from error
        return cls(client, bucket, prefix)

    def put_chunk(self, task_id: str, index: int, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(chunk_name(task_id, index)), Body=data)

    def read_chunk(self, task_id: str, index: int) -> bytes:
        stored = self._open(chunk_name(task_id, index), f"chunk {index + 1} of task {task_id}")
        return b"".join(stored.pieces)

    def has_chunk(self, task_id: str, index: int) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(chunk_name(task_id, index)))
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def remove_chunks(self, task_id: str) -> None:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(chunks_name(task_id)))
        for page in pages:
            keys: list[ObjectIdentifierTypeDef] = [
                {"Key": item["Key"]} for item in page.get("Contents", []) if "Key" in item]
            if keys:  # a page holds at most 1,000 keys, as many as one request deletes
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})

    def write_output(self, task_id: str, suffix: str) -> AbstractContextManager[BinaryIO]:
        return self._write(output_name(task_id, suffix))

    def open_output(self, task_id: str, suffix: str) -> Stored:
        return self._open(output_name(task_id, suffix), f"the output of task {task_id}")

    def write_history(self, item_id: str, extension: str) -> AbstractContextManager[BinaryIO]:
        return self._write(history_name(item_id, extension))

    def open_history(self, item_id: str, extension: str) -> Stored:
        return self._open(history_name(item_id, extension), f"the audio of history item {item_id}")

    def remove_history(self, item_id: str, extension: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(history_name(item_id, extension)))

    def write_preview(self, key: str) -> AbstractContextManager[BinaryIO]:
        return self._write(preview_name(key))

    def open_preview(self, key: str) -> Stored:
        return self._open(preview_name(key), f"the voice preview {key}")

    def put_upload(self, task_id: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(upload_name(task_id)), Body=data)

    def read_upload(self, task_id: str) -> bytes:
        return b"".join(self._open(upload_name(task_id), f"the upload of task {task_id}").pieces)

    def remove_upload(self, task_id: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(upload_name(task_id)))

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    @contextmanager
    def _write(self, name: str) -> Iterator[BinaryIO]:
        handle, spool = tempfile.mkstemp(prefix="voicer-", suffix=".part")
        try:
            with os.fdopen(handle, "w+b") as file:
                yield file
            self.client.upload_file(spool, self.bucket, self._key(name), Config=TRANSFER)
        finally:
            Path(spool).unlink(missing_ok=True)

    def _open(self, name: str, what: str) -> Stored:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as error:
            if _missing(error):
                raise NotFound(f"{what} is not in storage") from None
            raise
        return Stored(answer["ContentLength"], _pieces(answer["Body"]))


def _pieces(body: StreamingBody) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(PIECE)
    finally:
        body.close()


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in _MISSING
