"""Spans: half-open ``[start, end)`` ranges of a text that hold no outer whitespace.

Every splitter works on spans of the one input string, never on copies, so the
chunks can be checked against the input and no character can be lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

Span = tuple[int, int]
# What markup looks like to the splitters (``voicer.text.markup.mask``): never cut inside.
MASK = "\ue000"

_NON_SPACE = re.compile(r"\S+")
# Where a long sentence may break: after a clause mark followed by whitespace.
_CLAUSE_END = re.compile(r"[,;:\u2013\u2014)\]»”]+(?=\s)|\s[\u2013\u2014-](?=\s)")


def core(text: str, start: int, end: int) -> Span | None:
    """Shrink ``[start, end)`` to its non-whitespace core; ``None`` if it is all whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def words(text: str, span: Span) -> Iterator[Span]:
    for match in _NON_SPACE.finditer(text, span[0], span[1]):
        yield match.span()


def clauses(text: str, span: Span) -> Iterator[Span]:
    """Split a span after clause marks (commas, semicolons, dashes...)."""
    start = span[0]
    for match in _CLAUSE_END.finditer(text, span[0], span[1]):
        piece = core(text, start, match.end())
        if piece:
            yield piece
        start = match.end()
    piece = core(text, start, span[1])
    if piece:
        yield piece


def pack(pieces: Iterable[Span], limit: int) -> Iterator[Span]:
    """Greedily join consecutive pieces while the joined span stays within ``limit``."""
    current: Span | None = None
    for piece in pieces:
        if current is not None and piece[1] - current[0] <= limit:
            current = (current[0], piece[1])
            continue
        if current is not None:
            yield current
        current = piece
    if current is not None:
        yield current


def fit(text: str, span: Span, limit: int) -> Iterator[Span]:
    """Break a span longer than ``limit`` at clauses, then words, then (a giant word) anywhere."""
    if span[1] - span[0] <= limit:
        yield span
        return
    for clause in pack(clauses(text, span), limit):
        if clause[1] - clause[0] <= limit:
            yield clause
            continue
        for word in pack(words(text, clause), limit):
            if word[1] - word[0] <= limit:
                yield word
                continue
            yield from _cut(text, word, limit)


def _cut(text: str, word: Span, limit: int) -> Iterator[Span]:
    """A giant word in pieces of ``limit``; never inside markup (``MASK``), kept whole."""
    start = word[0]
    while start < word[1]:
        end = min(start + limit, word[1])
        while end < word[1] and text[end - 1] == MASK == text[end]:
            end += 1
        yield start, end
        start = end
