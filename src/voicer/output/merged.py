"""One file: the chunks' segments joined in order (:class:`voicer.encoding.segments.Joiner`)."""

from __future__ import annotations

from types import TracebackType
from typing import IO, Self

from voicer.encoding.formats import OutputFormat
from voicer.encoding.segments import Joiner
from voicer.encoding.streams import complete_file
from voicer.output.base import ChunkAudio


class MergedOutput:
    """Writes each chunk as it arrives; a WAV's sizes are filled in at the end (outputs are
    written through a local, seekable file)."""

    def __init__(self, file: IO[bytes], target: OutputFormat) -> None:
        self._file = file
        self._joiner = Joiner(target)

    def __enter__(self) -> Self:
        return self

    def add(self, chunk: ChunkAudio) -> None:
        self._file.write(self._joiner.add(chunk.data))

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self._file.write(self._joiner.finish())
            complete_file(self._joiner.target, self._file)
        self._file.flush()
