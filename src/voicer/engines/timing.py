"""Word timings for engines whose graph keeps its durations inside (hibari, Piper).

Neither model exposes per-phoneme durations, so a sentence's word starts are estimated: its
words share the sentence's sounding audio in proportion to their letters, and where the audio's
pauses match the sentence's clauses one for one, each clause's words are laid out inside its
own stretch of sound. Starts only move forward, word after word.
"""

from __future__ import annotations

import re

import numpy as np

from voicer.audio import SILENCE_THRESHOLD, Samples
from voicer.engines.base import WordEvent
from voicer.text.spans import Span

# A pause between clauses: at least this long under the silence threshold.
PAUSE_SECONDS = 0.12
_WORD = re.compile(r"\S+")
_CLAUSE_END = re.compile(r"[,;:.!?…\u2013\u2014]+[\"'”’)\]»]*$")
_FRAME_SECONDS = 0.01


def word_events(text: str, span: Span, samples: Samples, rate: int, offset: int) -> list[WordEvent]:
    """Word starts of the sentence ``text[span]``, spoken as ``samples`` (which begin at
    sample ``offset`` of the engine's output)."""
    words = [match.span() for match in _WORD.finditer(text, span[0], span[1])
             if any(c.isalnum() for c in match.group())]
    if not words:
        return []
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
