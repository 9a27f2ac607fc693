"""How much work a text is, in seconds of speech, estimated from its characters without speaking it.

Synthesis and MP3 encoding cost CPU in proportion to the audio they make, whatever the script:
≈ 6 ms per second of speech on one core at ``mp3_44100_128``, for English, Russian, Chinese,
emoji or digits alike, and half that per second of silence. What one character makes varies
twenty-fold, though: espeak-ng reads an emoji's name aloud ("grinning face"), a digit as part
of a number and a Chinese character as a syllable, and says nothing for a combining mark, a
zero-width joiner or a control character. So estimated times count seconds of speech, not
characters.

Seconds of speech per character at speed 1.0, measured with the bundled voices on 3,000-character
texts; the estimate against espeak-ng's actual speech: English 1.03, Russian 1.05, Ukrainian 0.82,
emoji between words 1.12, emoji alone 0.94, Latin letters under 2–5 combining marks each 0.86,
Chinese 1.11, Hindi 0.78, digits 1.36, acronyms spelled out 0.57.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import numpy.typing as npt

LETTER = 0.07  # of any alphabet, and the vowel signs of scripts that write vowels as marks
SYLLABLE = 0.25  # a CJK ideograph, a kana, a Hangul syllable
DIGIT = 0.2  # numbers are read out: "1923" is "nineteen twenty-three"
PUNCTUATION = 0.1  # mostly a short pause
PICTOGRAPH = 0.35  # emoji and other pictographs: their names are read
PICTOGRAPH_RUN = 0.3  # and a pause comes before each run of them
SYMBOL = 0.3  # "percent", "dollar", "one half"
# Spaces, combining diacritics, zero-width and control characters, unassigned code points: 0.

NATURAL_GAP = 0.3  # seconds of silence espeak-ng leaves after a chunk (≈ 0.3–0.44)
SILENCE = 0.5  # a second of silence costs half of what a second of speech does to encode
# Handing a chunk to a worker, forking, storing and recording it cost about what 1.5 s of speech
# does (≈ 10 ms): a text of many short chunks, or of chunks with nothing to say, is not free.
CHUNK = 1.5

_OTHER, _PICTOGRAPH, _JOINER = 0, 1, 2  # kinds of character, for runs of pictographs
_SYLLABIC = ("CJK ", "HIRAGANA ", "KATAKANA ", "HANGUL SYLLABLE ", "YI SYLLABLE ")
# Blocks of diacritics that stack on any letter (Zalgo text, decomposed accents), and
# variation selectors: espeak-ng says nothing for them.
_DIACRITICS = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
               (0xFE00, 0xFE0F), (0xFE20, 0xFE2F))


def speech_seconds(text: str) -> float:
    """Seconds of speech ``text`` makes at speed 1.0, estimated. Linear in the text, ≈ 10 ms
    for 1,000,000 characters: distinct characters are weighed once."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    distinct, counts = np.unique(codes, return_counts=True)
    weights = np.fromiter(map(_seconds_of, distinct.tolist()), dtype=np.float64,
                          count=len(distinct))
    kinds = np.fromiter(map(_kind, distinct.tolist()), dtype=np.int8, count=len(distinct))
    seconds = float(weights @ counts)
    if np.any(kinds == _PICTOGRAPH):
        seconds += PICTOGRAPH_RUN * _runs(kinds[np.searchsorted(distinct, codes)])
    return seconds


def chunk_work(text: str, gap: float | None, speed: float = 1.0) -> float:
    """The work of one chunk: its speech at ``speed``, the silence after it at its cost, and
    the cost of a chunk."""
    silence = NATURAL_GAP if gap is None else gap
    return speech_seconds(text) / speed + SILENCE * silence + CHUNK


def rendered_work(speech: float, duration: float, chunks: int = 1) -> float:
    """The work rendered chunks turned out to be, from their seconds of speech and of audio in
    all: the speech, the rest at silence's cost, and the cost of each chunk."""
    return speech + SILENCE * max(0.0, duration - speech) + CHUNK * chunks


def _runs(kinds: npt.NDArray[np.int8]) -> int:
    """Runs of pictographs; the joiners inside an emoji sequence do not end one."""
    pictographs = kinds[kinds != _JOINER] == _PICTOGRAPH
    return int(np.count_nonzero(pictographs[1:] & ~pictographs[:-1]) + pictographs[:1].sum())


@lru_cache(maxsize=1 << 16)
def _kind(code: int) -> int:
    if code in (0x200D, 0xFE0F):  # zero-width joiner, emoji presentation selector
        return _JOINER
    return _PICTOGRAPH if unicodedata.category(chr(code)) == "So" else _OTHER


@lru_cache(maxsize=1 << 16)
def _seconds_of(code: int) -> float:
    character = chr(code)
    category = unicodedata.category(character)
    kind = category[0]
    if kind == "L":
        return SYLLABLE if unicodedata.name(character, "").startswith(_SYLLABIC) else LETTER
    if kind == "M":
        return 0.0 if any(low <= code <= high for low, high in _DIACRITICS) else LETTER
    if category == "Nd":
        return DIGIT
    if category == "So":
        return PICTOGRAPH
    if kind in "NS":
        return SYMBOL
    if kind == "P":
        return PUNCTUATION
    return 0.0  # separators, controls, format characters, unassigned, private use
