"""The storage protocol, and the names things have in every storage.

    tasks/<task_id>/chunks/0001.mp3   a chunk's segment while its task runs (MP3, or PCM for
                                      the other formats, whatever the name says); for a
                                      recognition task, a piece of its audio (16 kHz PCM)
    tasks/<task_id>/output.<ext>      the assembled output of a task: .mp3, .wav, .ogg, ... or .zip
    history/<item_id>.<ext>           the audio of one synchronous text-to-speech request
    previews/<key>.mp3                a voice's sample, rendered once (the key names the voice
                                      as it is spoken now)
    uploads/<task_id>                 the file of a recognition task while the task runs

A name is the same relative path in a directory and the same key (after a prefix) in a bucket.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

PIECE = 256 * 1024  # bytes per piece of a stored file read as a stream


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored file opened for reading: its size, and its bytes piece by piece."""

    size: int
    pieces: Iterator[bytes]  # read to the end or closed, it lets go of what it holds
    path: Path | None = None  # the same bytes as a local file, where there is one


class Storage(Protocol):
    """Where audio lives. A missing file is a ``NotFound``.

    Writes are whole or absent, and writing the same name twice, even at once, is harmless.
    Outputs and history audio are written through a local, seekable file, and each is
    stored once its block ends without an error.
    """

    def put_chunk(self, task_id: str, index: int, data: bytes) -> None: ...
    def read_chunk(self, task_id: str, index: int) -> bytes: ...
    def has_chunk(self, task_id: str, index: int) -> bool: ...
    def remove_chunks(self, task_id: str) -> None: ...
    def write_output(self, task_id: str, suffix: str) -> AbstractContextManager[BinaryIO]: ...
    def open_output(self, task_id: str, suffix: str) -> Stored: ...
    def write_history(self, item_id: str, extension: str) -> AbstractContextManager[BinaryIO]: ...
    def open_history(self, item_id: str, extension: str) -> Stored: ...
    def remove_history(self, item_id: str, extension: str) -> None: ...
    def write_preview(self, key: str) -> AbstractContextManager[BinaryIO]: ...
    def open_preview(self, key: str) -> Stored: ...
    def put_upload(self, task_id: str, data: bytes) -> None: ...
    def read_upload(self, task_id: str) -> bytes: ...
    def remove_upload(self, task_id: str) -> None: ...


def chunks_name(task_id: str) -> str:
    return f"tasks/{task_id}/chunks/"


def chunk_name(task_id: str, index: int) -> str:
    """``index`` is 0-based; the file is numbered from 1."""
    return f"{chunks_name(task_id)}{index + 1:04d}.mp3"


def output_name(task_id: str, suffix: str) -> str:
    return f"tasks/{task_id}/output{suffix}"


def history_name(item_id: str, extension: str) -> str:
    return f"history/{item_id}.{extension}"


def preview_name(key: str) -> str:
    return f"previews/{key}.mp3"


def upload_name(task_id: str) -> str:
    return f"uploads/{task_id}"
