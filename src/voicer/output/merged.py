"""One file: the chunks' segments joined in order (:class:`voicer.encoding.segments.Joiner`)."""

from __future__ import annotations

from types import TracebackType
from typing import IO, Self

from voicer.books import BookTags
from voicer.encoding.formats import OutputFormat
from voicer.encoding.id3 import id3_tag
from voicer.encoding.segments import Joiner
from voicer.encoding.streams import complete_file
from voicer.output.base import ChunkAudio
from voicer.output.chapters import ChapterClock


class MergedOutput:
    """Writes each chunk as it arrives; a WAV's sizes are filled in at the end (outputs are
    written through a local, seekable file).

    A book's MP3 starts with an ID3 tag of its title, author, cover and chapters: reserved at
    the start, as long as the final one, whose chapter times are written at the end.
    """

    def __init__(self, file: IO[bytes], target: OutputFormat, tags: BookTags | None = None) -> None:
        self._file = file
        self._joiner = Joiner(target)
        self._tags = tags if target.codec == "mp3" else None
        self._clock = ChapterClock(self._tags) if self._tags is not None else None

    def __enter__(self) -> Self:
        if self._tags is not None and self._clock is not None:
            self._tag_at = self._file.tell()
            self._file.write(id3_tag(self._tags, self._clock.placeholders()))
        return self

    def add(self, chunk: ChunkAudio) -> None:
        if self._clock is not None:
            self._clock.add(chunk)
        self._file.write(self._joiner.add(chunk.data))

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self._file.write(self._joiner.finish())
            complete_file(self._joiner.target, self._file)
            if self._tags is not None and self._clock is not None:
                self._write_tag(self._tags, self._clock)
        self._file.flush()

    def _write_tag(self, tags: BookTags, clock: ChapterClock) -> None:
        tag = id3_tag(tags, clock.marks())
        if len(tag) != len(id3_tag(tags, clock.placeholders())):
            raise RuntimeError("a chapter's first chunk never came: the ID3 tag changed size")
        end = self._file.tell()
        self._file.seek(self._tag_at)
        self._file.write(tag)
        self._file.seek(end)
