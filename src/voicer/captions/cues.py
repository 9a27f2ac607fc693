"""Words grouped into cues as subtitles are read: a cue never spans two sentences or a
silence, holds at most two lines of 42 characters and lasts at most 7 seconds; a sentence too
long for one cue is cut after a comma where one is near, else before the word that would not
fit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voicer.captions.timeline import Word

LINE = 42  # characters a line
LINES = 2  # lines a cue
LONGEST = 7.0  # seconds a cue
SILENCE = 0.75  # seconds without a word that end a cue, even inside a sentence
_PAUSES = (",", ";", ":", "—", "–")


@dataclass(frozen=True, slots=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def cues(words: Sequence[Word]) -> list[Cue]:
    """The cues of ``words``, in order."""
    made: list[Cue] = []
    group: list[Word] = []
    for word in words:
        if group and word.start - group[-1].end > SILENCE:
            made.append(_cue(group))
            group = []
        if group and not _fits([*group, word]):
            kept = _cut(group)
            made.append(_cue(group[:kept]))
            group = group[kept:]
        group.append(word)
        if word.sentence_end:
            made.append(_cue(group))
            group = []
    if group:
        made.append(_cue(group))
    return made


def lines(text: str) -> tuple[str, ...]:
    """``text`` on as few lines of at most LINE characters as it takes, two lines balanced."""
    if len(text) <= LINE:
        return (text,)
    spaces = [i for i, char in enumerate(text) if char == " "]
    if not spaces:
        return (text,)
    middle = min(spaces, key=lambda at: max(at, len(text) - at - 1))
    first, rest = text[:middle], text[middle + 1:]
    return (first, *lines(rest)) if len(first) <= LINE else (text,)


def _fits(group: Sequence[Word]) -> bool:
    shown = lines(_joined(group))
    return (len(shown) <= LINES and all(len(line) <= LINE for line in shown)
            and group[-1].end - group[0].start <= LONGEST)


def _cut(group: Sequence[Word]) -> int:
    """How many words of a full ``group`` make its cue: up to the last comma in its second
    half, or all of them."""
    for kept in range(len(group) - 1, len(group) // 2, -1):
        if group[kept - 1].text.endswith(_PAUSES):
            return kept
    return len(group)


def _cue(group: Sequence[Word]) -> Cue:
    return Cue(group[0].start, max(group[-1].end, group[0].start + 0.001), lines(_joined(group)))


def _joined(group: Sequence[Word]) -> str:
    return " ".join(word.text for word in group)
