"""One MP3 file: the chunks' gapless segments, byte after byte."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import IO, Self

from voicer.output.base import ChunkAudio, PartFile


class MergedMp3Output:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._part = PartFile(path)
        self._file: IO[bytes] | None = None

    def __enter__(self) -> Self:
        self._file = self._part.part.open("wb")
        return self

    def add(self, chunk: ChunkAudio) -> None:
        assert self._file is not None, "use the output as a context manager"
        self._file.write(chunk.data)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        assert self._file is not None
        self._file.close()
        self._part.finish(ok=kind is None)
