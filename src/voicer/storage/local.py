"""Storage in a directory: the data directory, or a mount shared by several machines."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO

from voicer.atomic import atomic_file
from voicer.errors import NotFound
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


class LocalStorage:
    """Every name is a path under ``root``; files are written aside and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put_chunk(self, task_id: str, index: int, data: bytes) -> None:
        with atomic_file(self.root / chunk_name(task_id, index)) as file:
            file.write(data)

    def read_chunk(self, task_id: str, index: int) -> bytes:
        try:
            return (self.root / chunk_name(task_id, index)).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"chunk {index + 1} of task {task_id} is not in storage") from None

    def has_chunk(self, task_id: str, index: int) -> bool:
        return (self.root / chunk_name(task_id, index)).is_file()

    def remove_chunks(self, task_id: str) -> None:
        folder = self.root / chunks_name(task_id)
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):  # the task's folder, unless its output is in it
            folder.parent.rmdir()

    def write_output(self, task_id: str, suffix: str) -> AbstractContextManager[BinaryIO]:
        return atomic_file(self.root / output_name(task_id, suffix))

    def open_output(self, task_id: str, suffix: str) -> Stored:
        return _open(self.root / output_name(task_id, suffix), f"the output of task {task_id}")

    def write_history(self, item_id: str, extension: str) -> AbstractContextManager[BinaryIO]:
        return atomic_file(self.root / history_name(item_id, extension))

    def open_history(self, item_id: str, extension: str) -> Stored:
        return _open(self.root / history_name(item_id, extension),
                     f"the audio of history item {item_id}")

    def remove_history(self, item_id: str, extension: str) -> None:
        (self.root / history_name(item_id, extension)).unlink(missing_ok=True)

    def write_preview(self, key: str) -> AbstractContextManager[BinaryIO]:
        return atomic_file(self.root / preview_name(key))

    def open_preview(self, key: str) -> Stored:
        return _open(self.root / preview_name(key), f"the voice preview {key}")

    def put_upload(self, task_id: str, data: bytes) -> None:
        with atomic_file(self.root / upload_name(task_id)) as file:
            file.write(data)

    def read_upload(self, task_id: str) -> bytes:
        try:
            return (self.root / upload_name(task_id)).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"the upload of task {task_id} is not in storage") from None

    def remove_upload(self, task_id: str) -> None:
        (self.root / upload_name(task_id)).unlink(missing_ok=True)


def _open(path: Path, what: str) -> Stored:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise NotFound(f"{what} is not in storage") from None
    return Stored(size, _pieces(path), path)


def _pieces(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while piece := file.read(PIECE):
            yield piece
