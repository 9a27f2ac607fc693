"""Where task audio lives: chunk segments while a task runs, then its output.

Behind a small protocol so a shared filesystem or object storage can replace
the local directory without touching the pipeline.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol


class Storage(Protocol):
    def put_chunk(self, task_id: str, index: int, data: bytes) -> None: ...
    def read_chunk(self, task_id: str, index: int) -> bytes: ...
    def output_path(self, task_id: str, suffix: str) -> Path: ...
    def remove_chunks(self, task_id: str) -> None: ...
    def remove(self, task_id: str) -> None: ...


class LocalStorage:
    """A directory tree: ``<root>/<task_id>/chunks/0001.mp3`` and ``<root>/<task_id>/output.*``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def put_chunk(self, task_id: str, index: int, data: bytes) -> None:
        path = self._chunk(task_id, index)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with partial.open("wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        partial.replace(path)  # a chunk file is whole or absent

    def read_chunk(self, task_id: str, index: int) -> bytes:
        return self._chunk(task_id, index).read_bytes()

    def output_path(self, task_id: str, suffix: str) -> Path:
        folder = self.root / task_id
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"output{suffix}"

    def remove_chunks(self, task_id: str) -> None:
        shutil.rmtree(self.root / task_id / "chunks", ignore_errors=True)

    def remove(self, task_id: str) -> None:
        shutil.rmtree(self.root / task_id, ignore_errors=True)

    def chunk_files(self, task_id: str) -> Iterator[Path]:
        yield from sorted((self.root / task_id / "chunks").glob("*.mp3"))

    def _chunk(self, task_id: str, index: int) -> Path:
        return self.root / task_id / "chunks" / f"{index + 1:04d}.mp3"
