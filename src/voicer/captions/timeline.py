"""A task's words on the clock of its whole output.

Each chunk keeps its words as the worker timed them by their sound, in seconds from the
start of the chunk's own segment (``TaskChunk.words``: ``[text offset, length, start,
end]``). The segments are joined end to end, so a chunk starts where the durations of the
chunks before it add up to: the pauses between chunks, and the joins, are the audio's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from voicer.text import markup

if TYPE_CHECKING:  # the worker's side, not imported where captions are only read
    from voicer.pipeline.render import TimedWord

StoredWords = Sequence[Sequence[float]]  # [text offset, length, start, end] per word


@dataclass(frozen=True, slots=True)
class Word:
    """A spoken word as captions show it: with the punctuation after it, times in seconds."""

    text: str
    start: float
    end: float
    text_offset: int  # in the task's text
    sentence_end: bool  # the last word of a sentence, a line or a chunk


def stored(words: Sequence[TimedWord]) -> list[list[float]]:
    """A chunk's words as ``TaskChunk.words`` keeps them (milliseconds are enough)."""
    return [[word.text_offset, word.length, round(word.start, 3), round(word.end, 3)]
            for word in words]


class Timeline:
    """The words of the chunks added in order, each chunk starting where the last ended."""

    def __init__(self) -> None:
        self.words: list[Word] = []
        self.duration = 0.0

    def add(self, text: str, text_offset: int, duration: float, words: StoredWords) -> None:
        """A chunk: its text, where it starts in the task's, its segment's seconds, its words."""
        starts = [int(word[0]) for word in words]
        for number, (offset, _, start, end) in enumerate(words):
            after = starts[number + 1] if number + 1 < len(words) else len(text)
            said = text[int(offset):after]
            shown = " ".join(markup.plain(said).split())  # no tags, one space between words
            if not shown:
                continue
            ends = number + 1 == len(words) or "\n" in said or _ends_sentence(shown)
            self.words.append(Word(shown, round(self.duration + start, 3),
                                   round(self.duration + end, 3), text_offset + int(offset),
                                   ends))
        self.duration += duration


_CLOSERS = "\"'”’»)]"


def _ends_sentence(shown: str) -> bool:
    """Whether a word and the punctuation after it end a sentence."""
    return shown.rstrip(_CLOSERS).endswith((".", "!", "?", "…", "。", "！", "？"))
