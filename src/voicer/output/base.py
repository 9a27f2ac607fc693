"""The output protocol: chunk audio arrives in order; the file appears only when all went well."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self


@dataclass(frozen=True, slots=True)
class ChunkAudio:
    """One chunk's encoded segment and what the manifest says of it."""

    index: int  # 0-based
    text: str
    text_offset: int  # where the chunk starts in the input text
    data: bytes
    duration: float  # seconds the segment decodes to
    speech: float  # seconds of speech in it
    pause: float  # the configured pause it earned, 0 if none


class Output(Protocol):
    path: Path

    def add(self, chunk: ChunkAudio) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None: ...


class PartFile:
    """Write to ``<path>.part`` and move it into place on success, remove it on failure."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.part = path.with_name(path.name + ".part")

    def finish(self, ok: bool) -> None:
        if ok:
            self.part.replace(self.path)
        else:
            self.part.unlink(missing_ok=True)
