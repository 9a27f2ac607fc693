"""Forced alignment: the text's own words, timed by what was heard."""

from __future__ import annotations

from voicer.recognition.base import Segment, Transcript, Word
from voicer.recognition.forced import align

TEXT = "Hello, brave new world!  Bye."


def heard(*words: Word) -> Transcript:
    return Transcript((Segment(0.0, 4.0, "", words),), "en", 0.9, 4.0)


def test_every_character_of_the_text_is_timed_in_order() -> None:
    aligned = align(TEXT, heard(Word("hello", 0.1, 0.5, 0.9), Word("brave", 0.6, 1.0, 0.8),
                                Word("new", 1.1, 1.3, 1.0), Word("world", 1.4, 2.0, 0.7),
                                Word("bye", 3.0, 3.5, 1.0)))
    assert "".join(c.text for c in aligned.characters) == TEXT
    starts = [c.start for c in aligned.characters]
    assert starts == sorted(starts) and aligned.characters[-1].end == 3.5
    assert [w.text for w in aligned.words] == ["Hello,", "brave", "new", "world!", "Bye."]
    assert (aligned.words[0].start, aligned.words[0].end) == (0.1, 0.5)
    assert aligned.words[0].loss == 0.1 and aligned.loss == round((0.1 + 0.2 + 0.3) / 5, 4)


def test_words_not_heard_share_the_time_around_them() -> None:
    aligned = align(TEXT, heard(Word("hello", 0.1, 0.5, 1.0), Word("bye", 3.0, 3.5, 1.0)))
    middle = aligned.words[1:4]  # brave new world!: 5 + 3 + 6 characters over 0.5 - 3.0 s
    assert middle[0].start == 0.5 and middle[-1].end == 3.0
    assert [w.loss for w in middle] == [1.0, 1.0, 1.0]
    assert middle[1].end - middle[1].start == round(2.5 * 3 / 14, 3)


def test_nothing_heard_spreads_the_text_over_the_audio() -> None:
    aligned = align("one two", heard())
    assert aligned.words[0].start == 0.0 and aligned.words[-1].end == 4.0 and aligned.loss == 1.0
