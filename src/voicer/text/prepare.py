"""What an engine is given to say for a chunk: the caller's text with its markup read
(breaks, phonemes), normalized, and the map back to the caller's characters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from voicer.pronunciation import rules
from voicer.pronunciation.rules import AliasRule, PhonemeRule
from voicer.text import markup
from voicer.text.normalize import Normalization, normalize
from voicer.text.rewrite import Edit, Rewritten, merge

# espeak-ng reads what is between these as phonemes: the caller's own are kept as text.
_PHONEME_OPEN = "[["


@dataclass(frozen=True, slots=True)
class Script:
    """The text to say, and the exact silences to make in it."""

    said: Rewritten
    pauses: tuple[tuple[int, float], ...] = ()  # (position in ``said.text``, seconds)

    def parts(self) -> Iterator[tuple[int, int, float]]:
        """``(start, end, pause after)`` of each stretch of ``said.text`` between pauses."""
        start = 0
        for position, seconds in self.pauses:
            yield start, position, seconds
            start = position
        yield start, len(self.said.text), 0.0


def prepare(text: str, language: str, normalization: Normalization,
            reads_phonemes: bool = False,
            lexicon: Sequence[AliasRule | PhonemeRule] = ()) -> Script:
    """``text`` as an engine is to say it in ``language``: tags out, breaks as pauses, phoneme
    elements as espeak-ng phonemes (``reads_phonemes``) or their words, pronunciation rules
    applied (aliases said instead, phonemes to an engine that reads them), normalized unless
    ``off`` (``auto`` means on for the local engines). Markup wins over rules, rules over
    normalization."""
    found = markup.parse(text)
    tags = list(_markup_edits(found, reads_phonemes))
    if reads_phonemes:
        tags += [Edit(i, i + 2, "[ [") for i in _occurrences(text, _PHONEME_OPEN)]
    ruled = list(rules.edits(text, lexicon, reads_phonemes))
    normalized = [] if normalization is Normalization.off else normalize(text, language)
    said = Rewritten.apply(text, merge(tags, ruled, normalized))
    breaks = [element for element in found if isinstance(element, markup.Break)]
    return Script(said, tuple((said.position(b.start), b.seconds) for b in breaks))


def _markup_edits(found: list[markup.Markup], reads_phonemes: bool) -> Iterator[Edit]:
    for element in found:
        if isinstance(element, markup.Break):
            yield Edit(element.start, element.end, "")
        elif reads_phonemes:
            yield Edit(element.start, element.end, f"[[{element.espeak}]]")
        else:
            yield Edit(element.start, element.end, element.word)


def _occurrences(text: str, needle: str) -> Iterator[int]:
    position = text.find(needle)
    while position >= 0:
        yield position
        position = text.find(needle, position + len(needle))
