"""One MP3 file: the chunks' gapless segments, byte after byte."""

from __future__ import annotations

from types import TracebackType
from typing import IO, Self

from voicer.output.base import ChunkAudio


class MergedMp3Output:
    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def __enter__(self) -> Self:
        return self

    def add(self, chunk: ChunkAudio) -> None:
        self._file.write(chunk.data)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._file.flush()
