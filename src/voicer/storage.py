"""Where task audio lives: chunk segments while a task runs, then its output.

Behind a small protocol so a shared filesystem or object storage can replace
the local directory without touching the pipeline.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Protocol


class Storage(Protocol):
    def put_chunk(self, task_id: str, index: int, data: bytes) -> None: ...
    def read_chunk(self, task_id: str, index: int) -> bytes: ...
    def output_path(self, task_id: str, suffix: str) -> Path: ...
    def remove_chunks(self, task_id: str) -> None: ...
    def history_path(self, item_id: str, extension: str) -> Path: ...


class LocalStorage:
    """A directory tree: ``tasks/<task_id>/chunks/0001.mp3``, ``tasks/<task_id>/output.*``
    and ``history/<item_id>.<ext>``."""

    def __init__(self, root: Path) -> None:
        self.tasks = root / "tasks"
        self.history = root / "history"
        self.tasks.mkdir(parents=True, exist_ok=True)
        self.history.mkdir(parents=True, exist_ok=True)

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
        folder = self.tasks / task_id
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"output{suffix}"

    def remove_chunks(self, task_id: str) -> None:
        shutil.rmtree(self.tasks / task_id / "chunks", ignore_errors=True)

    def history_path(self, item_id: str, extension: str) -> Path:
        """Where the audio of one synchronous request is kept."""
        return self.history / f"{item_id}.{extension}"

    def _chunk(self, task_id: str, index: int) -> Path:
        return self.tasks / task_id / "chunks" / f"{index + 1:04d}.mp3"
