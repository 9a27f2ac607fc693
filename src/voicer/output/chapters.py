"""Where each chapter of a book starts in its output, as the chunks are written."""

from __future__ import annotations

from voicer.books import BookTags
from voicer.encoding.id3 import Mark
from voicer.output.base import ChunkAudio


class ChapterClock:
    """Follows the chunks as they are added; each chapter starts where its first chunk does."""

    def __init__(self, tags: BookTags) -> None:
        self._titles = {chapter.chunk: chapter.title for chapter in tags.chapters}
        self._starts: list[tuple[str, float]] = []
        self.position = 0.0  # seconds written so far

    def add(self, chunk: ChunkAudio) -> None:
        if chunk.index in self._titles:
            self._starts.append((self._titles[chunk.index], self.position))
        self.position += chunk.duration

    def placeholders(self) -> list[Mark]:
        """Every chapter at time 0: as long in a tag as the real marks."""
        return [Mark(title, 0.0, 0.0) for title in self._titles.values()]

    def marks(self) -> list[Mark]:
        """The chapters seen, each ending where the next starts, the last at the end."""
        ends = [start for _, start in self._starts[1:]] + [self.position]
        return [Mark(title, start, end) for (title, start), end in zip(self._starts, ends, strict=True)]
