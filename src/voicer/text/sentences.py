"""Sentence boundaries from sentencex, a fast rule-based multilingual segmenter.

sentencex was measured against blingfire and pysbd on en/uk/ru text: it keeps
abbreviations such as "напр." and "Dr." inside sentences, returns the original
characters, and splits 1,000,000 characters in about 0.03 s (pysbd: ~5 s).
"""

from __future__ import annotations

from collections.abc import Iterator

from sentencex import segment

from voicer.text.spans import Span, core


def sentences(text: str, span: Span, language: str) -> Iterator[Span]:
    """Sentence spans inside ``span``; a break never falls inside a word."""
    cursor = span[0]
    pending: Span | None = None
    for sentence in segment(language, text[span[0]:span[1]]):
        stripped = sentence.strip()
        if not stripped:
            continue
        start = text.find(stripped, cursor, span[1])
        if start < 0:  # the segmenter changed the text; fall back to one sentence
            yield from _rest(text, pending, cursor, span)
            return
        cursor = start + len(stripped)
        if pending is not None and start == pending[1]:
            pending = (pending[0], cursor)  # no whitespace between: same word, keep together
            continue
        if pending is not None:
            yield pending
        pending = (start, cursor)
    yield from _rest(text, pending, cursor, span)


def _rest(text: str, pending: Span | None, cursor: int, span: Span) -> Iterator[Span]:
    tail = core(text, cursor, span[1])
    if pending is not None and tail is not None and tail[0] == pending[1]:
        yield (pending[0], tail[1])
        return
    if pending is not None:
        yield pending
    if tail is not None:
        yield tail
