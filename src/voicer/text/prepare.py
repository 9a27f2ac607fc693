"""What an engine is given to say for a chunk: the caller's text with its markup read
(breaks, phonemes), normalized, and the map back to the caller's characters."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from voicer.pronunciation import rules
from voicer.pronunciation.rules import AliasRule, PhonemeRule
from voicer.text import cues, markup, ssml
from voicer.text.normalize import Normalization, normalize
from voicer.text.prosody import PLAIN, Prosody
from voicer.text.rewrite import Edit, Rewritten, merge

# espeak-ng reads what is between these as phonemes: the caller's own are kept as text.
_PHONEME_OPEN = "[["


@dataclass(frozen=True, slots=True)
class Part:
    """A stretch of the said text, said alone: then ``pause`` seconds of exact silence."""

    start: int
    end: int
    pause: float
    prosody: Prosody


@dataclass(frozen=True, slots=True)
class Script:
    """The text to say, the exact silences to make in it, and how each stretch is said."""

    said: Rewritten
    pauses: tuple[tuple[int, float], ...] = ()  # (position in ``said.text``, seconds)
    changes: tuple[tuple[int, Prosody], ...] = ()  # (position in ``said.text``, from there on)

    @property
    def plain(self) -> bool:
        """Said in one go: no break, no change of prosody."""
        return not self.pauses and not self.changes

    def parts(self) -> Iterator[Part]:
        """The stretches between pauses and changes of prosody, in order."""
        pause_at: dict[int, float] = {}
        for position, seconds in self.pauses:
            pause_at[position] = pause_at.get(position, 0.0) + seconds
        change_at = dict(self.changes)
        if pause_at.get(0):  # a break before any word
            yield Part(0, 0, pause_at[0], PLAIN)
        bounds = sorted({0, len(self.said.text), *pause_at, *change_at})
        prosody = PLAIN
        for start, end in itertools.pairwise(bounds):
            prosody = change_at.get(start, prosody)
            yield Part(start, end, pause_at.get(end, 0.0), prosody)


def prepare(text: str, language: str, normalization: Normalization,
            reads_phonemes: bool = False,
            lexicon: Sequence[AliasRule | PhonemeRule] = (), context: str = "") -> Script:
    """``text`` as an engine is to say it in ``language``: tags out, breaks (and pause tags) as
    pauses, audio tags as prosody or nothing (``voicer.text.cues``), phoneme
    elements as espeak-ng phonemes (``reads_phonemes``) or their words, pronunciation rules
    applied (aliases said instead, phonemes to an engine that reads them), normalized unless
    ``off`` (``auto`` means on for the local engines). Markup wins over rules, rules over
    normalization. SSML (a text starting with ``<speak>``, or read inside ``context``, the tags
    open where a chunk of a document starts) is read by ``voicer.text.ssml``."""
    if ssml.is_ssml(context + text):
        return _prepare_ssml(text, language, normalization, reads_phonemes, lexicon, context)
    found = markup.parse(text)
    tagged = [cue for cue in cues.find(text)
              if not any(e.start <= cue.start < e.end for e in found)]
    tags = list(_markup_edits(found, reads_phonemes))
    tags += [Edit(cue.start, cue.end, "") for cue in tagged]  # never said
    if reads_phonemes:
        tags += [Edit(i, i + 2, "[ [") for i in _occurrences(text, _PHONEME_OPEN)]
    said = _said(text, language, normalization, reads_phonemes, lexicon,
                 sorted(tags, key=lambda tag: tag.start))
    breaks = [(b.start, b.seconds) for b in found if isinstance(b, markup.Break)]
    breaks += [(cue.start, cue.pause) for cue in tagged if cue.pause]
    changes = tuple((said.position(cue.start), cue.prosody) for cue in tagged
                    if cue.prosody is not None)
    return Script(said, tuple(sorted((said.position(at), seconds) for at, seconds in breaks)),
                  changes)


def _prepare_ssml(text: str, language: str, normalization: Normalization, reads_phonemes: bool,
                  lexicon: Sequence[AliasRule | PhonemeRule], context: str) -> Script:
    shift = len(context)
    parsed = ssml.parse(context + text, language)
    tags = [Edit(e.start - shift, e.end - shift, e.text) for e in parsed.edits if e.start >= shift]
    if not reads_phonemes:  # an engine that reads no phonemes says the element's word
        tags = [_unphonemed(text, e) for e in tags]
    said = _said(text, language, normalization, reads_phonemes, lexicon, tags)
    pauses = tuple((said.position(b.start - shift), b.seconds) for b in parsed.breaks)
    changes = tuple((said.position(max(0, at - shift)), prosody) for at, prosody in parsed.changes)
    return Script(said, pauses, changes)


def _said(text: str, language: str, normalization: Normalization, reads_phonemes: bool,
          lexicon: Sequence[AliasRule | PhonemeRule], tags: list[Edit]) -> Rewritten:
    ruled = list(rules.edits(text, lexicon, reads_phonemes))
    normalized = [] if normalization is Normalization.off else normalize(text, language)
    return Rewritten.apply(text, merge(tags, ruled, normalized))


def _unphonemed(text: str, edit: Edit) -> Edit:
    if not edit.text.startswith("[["):
        return edit
    return Edit(edit.start, edit.end, markup.phoneme_element(text, edit.start).word)


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
