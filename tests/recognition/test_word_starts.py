"""Word starts corrected on the sound: after a pause Whisper ran into, and no longer than the
word's letters allow."""

from __future__ import annotations

import numpy as np

from voicer.recognition.base import Segment, Word
from voicer.recognition.clip import RATE, Clip
from voicer.recognition.word_starts import refined


def speech(*spans: tuple[float, float], seconds: float = 3.0) -> Clip:
    """A clip that is a loud tone in ``spans`` (start, end, seconds) and silent elsewhere."""
    samples = np.zeros(int(seconds * RATE), dtype=np.float32)
    for start, end in spans:
        at = np.arange(int(start * RATE), int(end * RATE))
        samples[at] = 0.5 * np.sin(2 * np.pi * 220 * at / RATE)
    return Clip(samples)


def starts(clip: Clip, *words: Word) -> list[float]:
    segment = Segment(words[0].start, words[-1].end, " ".join(w.text for w in words), words)
    return [word.start for word in refined([segment], clip)[0].words]


def test_a_start_in_the_pause_before_a_word_moves_to_where_it_sounds() -> None:
    clip = speech((0.2, 0.5), (0.62, 0.9))
    # "river" ends at 0.5, "and" is heard from 0.62; Whisper starts it where "river" ended
    assert starts(clip, Word("river", 0.2, 0.5, 0.9), Word("and", 0.5, 0.7, 0.9)) == [0.2, 0.62]


def test_a_pause_too_far_or_inside_the_word_does_not_move_it() -> None:
    clip = speech((0.2, 0.38), (0.5, 2.0))
    # the pause is 180 ms after the start: within the word, not before it
    assert starts(clip, Word("nobody", 0.2, 0.6, 0.9)) == [0.2]
    # a pause the word would not outlast by 30 ms: the word is not moved into its last frames
    assert starts(clip, Word("going", 0.3, 0.52, 0.9)) == [0.3]


def test_a_word_lasts_at_most_75_ms_a_letter() -> None:
    clip = speech((0.0, 3.0))
    # "the" said from 1.0 to 1.5 by Whisper: its start moves to 225 ms before its end
    assert starts(clip, Word("the", 1.0, 1.5, 0.9), Word("extraordinary", 1.5, 2.4, 0.9)) == [
        1.275, 1.5]
