"""Forced alignment: a known text laid onto audio, every word and character timed.

Whisper recognises the audio with word times; the recognised words are matched onto the
text's words (difflib, on lower-cased words without punctuation). A matched word takes the
recognised word's times; the words between two matches share the time between them in
proportion to their length. Each word's characters share its time evenly, and the spaces and
punctuation between two words fill the gap from one's end to the next one's start.

The loss is what did not match: per word 1 − Whisper's probability for a matched word and 1
for a word it did not hear; overall, their mean (0 when every word was heard with certainty).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from voicer.recognition.base import Transcript
from voicer.recognition.wer import words as plain_words

_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class TimedWord:
    text: str
    start: float
    end: float
    loss: float
    offset: int  # where in the text it starts


@dataclass(frozen=True, slots=True)
class TimedCharacter:
    text: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class ForcedAlignment:
    characters: list[TimedCharacter]
    words: list[TimedWord]
    loss: float


def align(text: str, transcript: Transcript) -> ForcedAlignment:
    """Every word and character of ``text`` timed by what ``transcript`` heard."""
    spans = [(match.start(), match.group()) for match in _WORD.finditer(text)]
    heard = transcript.words
    matched: dict[int, tuple[float, float, float]] = {}
    matcher = difflib.SequenceMatcher(a=[_key(word) for _, word in spans],
                                      b=[_key(word.text) for word in heard], autojunk=False)
    for block in matcher.get_matching_blocks():
        for i in range(block.size):
            word = heard[block.b + i]
            matched[block.a + i] = (word.start, word.end, 1.0 - word.probability)
    timed = _interpolated(spans, matched, transcript.duration)
    loss = sum(word.loss for word in timed) / len(timed) if timed else 0.0
    return ForcedAlignment(_characters(text, timed, transcript.duration), timed, round(loss, 4))


def _key(word: str) -> str:
    return " ".join(plain_words(word))


def _interpolated(spans: list[tuple[int, str]], matched: dict[int, tuple[float, float, float]],
                  duration: float) -> list[TimedWord]:
    """Matched words as heard; each run of unmatched words spread over the time around it."""
    timed: list[TimedWord] = []
    i = 0
    while i < len(spans):
        if i in matched:
            start, end, loss = matched[i]
            timed.append(TimedWord(spans[i][1], start, end, round(loss, 4), spans[i][0]))
            i += 1
            continue
        run_end = next((j for j in range(i, len(spans)) if j in matched), len(spans))
        begin = timed[-1].end if timed else 0.0
        finish = matched[run_end][0] if run_end < len(spans) else duration
        run = spans[i:run_end]
        total = sum(len(word) for _, word in run)
        clock = begin
        for offset, word in run:
            step = (finish - begin) * len(word) / total
            timed.append(TimedWord(word, round(clock, 3), round(clock + step, 3), 1.0, offset))
            clock += step
        i = run_end
    return timed


def _characters(text: str, timed: list[TimedWord], duration: float) -> list[TimedCharacter]:
    characters: list[TimedCharacter] = []
    position, clock = 0, 0.0
    for word in timed:
        characters += _spread(text[position:word.offset], clock, max(word.start, clock))
        characters += _spread(word.text, word.start, word.end)
        position, clock = word.offset + len(word.text), word.end
    characters += _spread(text[position:], clock, max(duration, clock))
    return characters


def _spread(part: str, start: float, end: float) -> list[TimedCharacter]:
    step = (end - start) / len(part) if part else 0.0
    return [TimedCharacter(char, round(start + i * step, 3), round(start + (i + 1) * step, 3))
            for i, char in enumerate(part)]
