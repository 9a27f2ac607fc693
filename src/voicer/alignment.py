"""Character timings from word events: one entry per character, monotonic, gap-free.

The engine says where each word starts (in the text and in the audio). The
characters from one word's start up to the next word's start share that
word's time evenly, so every character of the text — spaces and punctuation
included — gets a start and an end, and the last end is the audio's end.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from voicer.engines import WordEvent


@dataclass(frozen=True, slots=True)
class Alignment:
    characters: list[str]
    starts: list[float]  # seconds
    ends: list[float]

    @classmethod
    def join(cls, parts: Sequence[Alignment]) -> Alignment:
        """Consecutive alignments (their times already on one clock) as one."""
        return cls([c for part in parts for c in part.characters],
                   [t for part in parts for t in part.starts],
                   [t for part in parts for t in part.ends])

    def to_json(self) -> dict[str, list[str] | list[float]]:
        """ElevenLabs' REST shape."""
        return {"characters": self.characters,
                "character_start_times_seconds": self.starts,
                "character_end_times_seconds": self.ends}

    def to_websocket_json(self) -> dict[str, list[str] | list[int]]:
        """ElevenLabs' WebSocket shape: milliseconds, camelCase."""
        return {"chars": self.characters,
                "charStartTimesMs": [round(start * 1000) for start in self.starts],
                "charDurationsMs": [round((end - start) * 1000)
                                    for start, end in zip(self.starts, self.ends, strict=True)]}


def align(text: str, words: Sequence[WordEvent], samples: int, rate: int,
          offset: float = 0.0) -> Alignment:
    """Time every character of ``text`` spoken in ``samples`` at ``rate``, shifted by ``offset``."""
    duration = samples / rate
    marks = _marks(words, len(text), duration, rate)
    starts: list[float] = []
    ends: list[float] = []
    for (first, begin), (stop, end) in itertools.pairwise(marks):
        count = stop - first
        step = (end - begin) / count if count else 0.0
        for i in range(count):
            starts.append(round(offset + begin + i * step, 4))
            ends.append(round(offset + begin + (i + 1) * step, 4))
    return Alignment(list(text), starts, ends)


def _marks(words: Sequence[WordEvent], length: int, duration: float,
           rate: int) -> list[tuple[int, float]]:
    """``(character, seconds)`` anchors: the text's start, each word's start, the text's end."""
    marks = [(0, 0.0)]
    for word in sorted(words, key=lambda w: w.text_offset):
        character = min(max(word.text_offset, marks[-1][0]), length)
        seconds = min(max(word.sample / rate, marks[-1][1]), duration)
        if marks[-1][0] < character < length:  # a word at the very end has no characters
            marks.append((character, seconds))
    marks.append((length, duration))
    return marks
