"""Word timings for engines whose graph keeps its durations inside (hibari, Piper).

Where the graph's predicted durations come out beside its audio (``voicer.engines.onnx``), each
word starts at the word space before its first phoneme (or at the phoneme, where none is): the
sentence's phonemes are matched, sound by sound, with each word's own (``Phonemes.spell``),
which finds the words in phonemes that run together ("on the" → "ɔnðə") or that one word
spells as several ("1,200").

A graph without them gets an estimate: the sentence's words share its sounding audio in
proportion to their letters, and where the audio's pauses match the sentence's clauses one for
one, each clause's words are laid out inside its own stretch of sound. Either way starts only
move forward, word after word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import numpy as np

from voicer.audio import SILENCE_THRESHOLD, Samples
from voicer.engines.base import WordEvent
from voicer.text.spans import Span

# A pause between clauses: at least this long under the silence threshold.
PAUSE_SECONDS = 0.12
_WORD = re.compile(r"\S+")
_CLAUSE_END = re.compile(r"[,;:.!?…\u2013\u2014]+[\"'”’)\]»]*$")
_FRAME_SECONDS = 0.01
# Marks in a phoneme string that are no sound of their own: stress and length.
_MARKS = frozenset("ˈˌːˑ")


@dataclass(frozen=True, slots=True)
class Phonemes:
    """What a graph was given for a sentence, and where each of its symbols starts."""

    text: str
    starts: Sequence[int]  # per character of ``text``: its first sample, or -1 (not given)
    spell: Callable[[str], str]  # one word's phonemes, said alone
    lead: int = 0  # samples by which the graph's sound comes before its durations' frames


def symbol_starts(positions: Sequence[int], frames: np.ndarray[Any, Any], samples: int,
                  offset: int = 0) -> list[int]:
    """The first sample of each symbol given to a graph, from the id each begins at
    (``positions``, -1 for none) and each id's whole frames as the graph predicted them, for a
    run that made ``samples`` samples (which begin at ``offset``)."""
    total = float(frames.sum())
    if total <= 0:
        return [-1] * len(positions)
    per_frame = samples / total
    before = np.concatenate([[0.0], np.cumsum(frames, dtype=np.float64)])
    return [offset + round(before[p] * per_frame) if 0 <= p < len(frames) else -1
            for p in positions]


def word_events(text: str, span: Span, samples: Samples, rate: int, offset: int,
                phonemes: Phonemes | None = None) -> list[WordEvent]:
    """Word starts of the sentence ``text[span]``, spoken as ``samples`` (which begin at
    sample ``offset`` of the engine's output): where its phonemes start, when the graph said
    (``phonemes``), or else as estimated."""
    words = [match.span() for match in _WORD.finditer(text, span[0], span[1])
             if any(c.isalnum() for c in match.group())]
    if not words:
        return []
    starts = _phoneme_starts(text, words, phonemes) if phonemes else None
    if starts is not None:
        return [WordEvent(a, b - a, offset + start)
                for (a, b), start in zip(words, starts, strict=True)]
    regions = sounding(samples, rate)
    if not regions:
        return [WordEvent(start, end - start, offset) for start, end in words]
    clauses = _clauses(text, words)
    if len(clauses) != len(regions):
        clauses, regions = [words], [(regions[0][0], regions[-1][1])]
    events: list[WordEvent] = []
    for clause, (begin, end) in zip(clauses, regions, strict=True):
        weights = np.array([_weight(text[a:b]) for a, b in clause], dtype=np.float64)
        before = np.concatenate([[0.0], np.cumsum(weights)[:-1]]) / weights.sum()
        for (a, b), share in zip(clause, before, strict=True):
            events.append(WordEvent(a, b - a, offset + begin + round(share * (end - begin))))
    return events


def _phoneme_starts(text: str, words: list[Span], said: Phonemes) -> list[int] | None:
    """Each word's first sample: its first phoneme matched in the sentence's, or (matched
    nowhere) where the word before it ended."""
    given = [i for i, c in enumerate(said.text) if _sound(c) and said.starts[i] >= 0]
    if not given:
        return None
    spelled: list[str] = []
    first: list[int] = []
    for a, b in words:
        first.append(len(spelled))
        spelled += [c for c in said.spell(text[a:b]) if _sound(c)]
    matched: dict[int, int] = {}  # a spelled sound → its place among ``given``
    matcher = SequenceMatcher(a=spelled, b=[said.text[i] for i in given], autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            matched[block.a + k] = block.b + k
    first.append(len(spelled))
    starts: list[int] = []
    reached = -1  # the last sound among ``given`` that a word before this one matched
    for index in range(len(words)):
        own = [a for a in range(first[index], first[index + 1]) if a in matched]
        place = reached + 1
        if own:  # the word began as many sounds before its first matched one
            place = max(place, matched[own[0]] - (own[0] - first[index]))
            reached = matched[own[-1]]
        sample = max(0, _boundary(said, given[min(place, len(given) - 1)]) - said.lead)
        starts.append(max(sample, starts[-1]) if starts else sample)
    return starts


def _boundary(said: Phonemes, symbol: int) -> int:
    """Where the word whose first sound is ``said.text[symbol]`` begins: at the word space
    before it, if there is one (the graph lays the closure of a stop, the onset's breath there),
    else at the sound."""
    before = symbol
    while before > 0 and said.text[before - 1] in _MARKS:
        before -= 1
    if before > 0 and said.text[before - 1] == " " and said.starts[before - 1] >= 0:
        return said.starts[before - 1]
    return said.starts[symbol]


def _sound(symbol: str) -> bool:
    return symbol.isalpha() and symbol not in _MARKS


def has_words(text: str) -> bool:
    """Whether ``text`` has a letter or digit to speak."""
    return any(c.isalnum() for c in text)


def sounding(samples: Samples, rate: int) -> list[tuple[int, int]]:
    """Stretches of sound, as sample ranges, split where at least ``PAUSE_SECONDS`` is silent."""
    frame = max(1, round(_FRAME_SECONDS * rate))
    count = len(samples) // frame
    if count == 0:
        return []
    peaks = np.abs(samples[: count * frame].astype(np.int32)).reshape(count, frame).max(axis=1)
    loud = np.flatnonzero(peaks > SILENCE_THRESHOLD)
    if len(loud) == 0:
        return []
    shortest = round(PAUSE_SECONDS / _FRAME_SECONDS)
    breaks = np.flatnonzero(np.diff(loud) > shortest)
    starts = [loud[0], *loud[breaks + 1]]
    ends = [*loud[breaks], loud[-1]]
    return [(int(a) * frame, (int(b) + 1) * frame) for a, b in zip(starts, ends, strict=True)]


def _clauses(text: str, words: list[Span]) -> list[list[Span]]:
    clauses: list[list[Span]] = [[]]
    for start, end in words:
        clauses[-1].append((start, end))
        if _CLAUSE_END.search(text[start:end]):
            clauses.append([])
    return [clause for clause in clauses if clause]


def _weight(word: str) -> float:
    """About how long a word takes: its letters, digits counted thrice (they are read out)."""
    return sum(3 if c.isdigit() else 1 for c in word if c.isalnum()) + 1.0
