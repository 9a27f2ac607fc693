"""The four split strategies of the Voicer API.

- ``smart``: whole sentences packed up to the limit; a chunk that is at least
  half full ends at a paragraph break rather than mid-paragraph.
- ``sentences``: one chunk per sentence.
- ``paragraphs``: one chunk per paragraph (blank-line separated; a text with no
  blank line but several lines treats each line as a paragraph).
- ``max_length``: as many words as fit, regardless of sentences.

Any unit longer than the limit is split further at clauses, then words; a single
word longer than the limit is cut. Nothing is ever dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from voicer.settings import DEFAULT_CHUNK_LIMIT
from voicer.text.markup import breaks_to_previous, mask
from voicer.text.sentences import sentences
from voicer.text.spans import Span, core, fit, pack, words

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_NEWLINE = re.compile(r"\n\s*")


class SplitType(StrEnum):
    smart = "smart"
    sentences = "sentences"
    paragraphs = "paragraphs"
    max_length = "max_length"


@dataclass(frozen=True, slots=True)
class Chunk:
    index: int
    start: int  # character offset of the chunk in the input text
    text: str


def split_text(
    text: str, split_type: SplitType, limit: int = DEFAULT_CHUNK_LIMIT, language: str = "en"
) -> list[Chunk]:
    """Split ``text`` into chunks of at most ``limit`` characters, none empty."""
    if limit < 1:
        raise ValueError("limit must be positive")
    # split as if each piece of markup were one word: no boundary falls inside a tag
    spans = breaks_to_previous(text, list(_STRATEGIES[split_type](mask(text), limit, language)))
    return [Chunk(i, start, text[start:end]) for i, (start, end) in enumerate(spans)]


def paragraphs(text: str) -> Iterator[Span]:
    separator = _BLANK_LINE if _BLANK_LINE.search(text) else _NEWLINE
    start = 0
    for match in separator.finditer(text):
        piece = core(text, start, match.start())
        if piece:
            yield piece
        start = match.end()
    piece = core(text, start, len(text))
    if piece:
        yield piece


def _by_sentences(text: str, limit: int, language: str) -> Iterator[Span]:
    for paragraph in paragraphs(text):
        for sentence in sentences(text, paragraph, language):
            yield from fit(text, sentence, limit)


def _by_paragraphs(text: str, limit: int, language: str) -> Iterator[Span]:
    for paragraph in paragraphs(text):
        if paragraph[1] - paragraph[0] <= limit:
            yield paragraph
        else:
            yield from _packed(text, [paragraph], limit, language)


def _by_length(text: str, limit: int, language: str) -> Iterator[Span]:
    whole = core(text, 0, len(text))
    if whole:
        yield from fit(text, whole, limit) if _one_word(text, whole) else _words(text, whole, limit)


def _words(text: str, whole: Span, limit: int) -> Iterator[Span]:
    for span in pack(words(text, whole), limit):
        yield from fit(text, span, limit)


def _one_word(text: str, span: Span) -> bool:
    return not any(character.isspace() for character in text[span[0]:span[1]])


def _smart(text: str, limit: int, language: str) -> Iterator[Span]:
    return _packed(text, list(paragraphs(text)), limit, language)


def _packed(text: str, paras: list[Span], limit: int, language: str) -> Iterator[Span]:
    """Pack sentences up to ``limit``; prefer to end a chunk at a paragraph break."""
    chunk: list[Span] = []  # sentences of the chunk being built
    breaks: list[int] = []  # indexes in ``chunk`` where a paragraph starts
    for paragraph in paras:
        if chunk:
            breaks.append(len(chunk))
        for sentence in sentences(text, paragraph, language):
            for piece in fit(text, sentence, limit):
                if chunk and piece[1] - chunk[0][0] > limit:
                    cut = _cut_point(chunk, breaks, limit)
                    yield (chunk[0][0], chunk[cut - 1][1])
                    chunk = chunk[cut:]
                    breaks = [b - cut for b in breaks if b > cut]
                    if chunk and piece[1] - chunk[0][0] > limit:
                        yield (chunk[0][0], chunk[-1][1])
                        chunk, breaks = [], []
                chunk.append(piece)
    if chunk:
        yield (chunk[0][0], chunk[-1][1])


def _cut_point(chunk: list[Span], breaks: list[int], limit: int) -> int:
    """End the chunk at its last paragraph break if that keeps it half full, else at the end."""
    for index in reversed(breaks):
        if chunk[index - 1][1] - chunk[0][0] >= limit // 2:
            return index
    return len(chunk)


_STRATEGIES = {
    SplitType.smart: _smart,
    SplitType.sentences: _by_sentences,
    SplitType.paragraphs: _by_paragraphs,
    SplitType.max_length: _by_length,
}
