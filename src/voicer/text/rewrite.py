"""A text with some of its spans rewritten, and the map from the new text back to the old.

Normalization ("12/03/2025" → "December third, twenty twenty-five"), pronunciation
dictionaries and markup all rewrite spans of what the caller sent. An engine speaks the
rewritten text; its word offsets are mapped back with :meth:`Rewritten.origin`, so timings
point at the characters the caller sent.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``original[start:end]`` by ``text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Rewritten:
    original: str
    text: str
    # each edit's span in the original and in ``text``, in order
    _spans: tuple[tuple[int, int, int, int], ...] = ()
    _new_starts: tuple[int, ...] = ()  # each edit's start in ``text``, to search
    _starts: tuple[int, ...] = ()  # each edit's start in the original, to search

    @classmethod
    def unchanged(cls, text: str) -> Rewritten:
        return cls(text, text)

    @classmethod
    def apply(cls, original: str, edits: Iterable[Edit]) -> Rewritten:
        """``original`` with ``edits`` (in order, not overlapping) made."""
        parts: list[str] = []
        spans: list[tuple[int, int, int, int]] = []
        done = length = 0
        for edit in edits:
            if edit.start < done or edit.end < edit.start:
                raise ValueError(f"edits overlap or go backwards at {edit.start}")
            parts.append(original[done:edit.start])
            length += edit.start - done
            spans.append((edit.start, edit.end, length, length + len(edit.text)))
            parts.append(edit.text)
            length += len(edit.text)
            done = edit.end
        parts.append(original[done:])
        return cls(original, "".join(parts), tuple(spans), tuple(s[2] for s in spans),
                   tuple(s[0] for s in spans))

    @property
    def changed(self) -> bool:
        return bool(self._spans)

    def position(self, original: int) -> int:
        """Where the original character ``original`` (or the edit starting there) is now."""
        number = bisect.bisect_right(self._starts, original) - 1
        if number < 0:
            return original
        start, end, new_start, new_end = self._spans[number]
        if start == original:
            return new_start
        return original + new_end - end

    def origin(self, position: int) -> int:
        """The original character the rewritten ``position`` comes from; inside an edit, the
        original span is spread evenly over the new one."""
        number = bisect.bisect_right(self._new_starts, position) - 1
        if number < 0:
            return position
        start, end, new_start, new_end = self._spans[number]
        if position >= new_end:
            return min(end + position - new_end, len(self.original))
        return start + (position - new_start) * (end - start) // max(1, new_end - new_start)


def merge(*layers: Iterable[Edit]) -> list[Edit]:
    """The edits of several layers, in text order; where two overlap, the earlier layer wins
    (markup over dictionaries over normalization)."""
    kept: list[Edit] = []  # in text order
    for layer in layers:
        for edit in layer:
            at = bisect.bisect_left(kept, (edit.start, edit.end), key=lambda e: (e.start, e.end))
            before = kept[at - 1] if at else None
            after = kept[at] if at < len(kept) else None
            if before is not None and (before.end > edit.start or before.start == edit.start):
                continue
            if after is not None and (after.start < edit.end or after.start == edit.start):
                continue
            kept.insert(at, edit)
    return kept
