"""The output protocol: chunks arrive in order; the file appears only when all went well."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from voicer.text import Chunk

if TYPE_CHECKING:
    from voicer.pipeline.render import RenderedChunk


class Output(Protocol):
    path: Path

    def add(self, chunk: Chunk, rendered: RenderedChunk) -> None: ...

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
