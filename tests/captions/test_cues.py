"""Cues from timed words: sentence boundaries, two lines of 42, seven seconds, silences."""

from __future__ import annotations

from voicer.captions.cues import cues, lines
from voicer.captions.formats import srt, vtt
from voicer.captions.timeline import Timeline


def timeline(text: str, seconds_per_word: float = 0.3, pause_after: int | None = None) -> Timeline:
    """``text`` as one chunk, a word every ``seconds_per_word`` (and a 2 s silence after the
    word numbered ``pause_after``)."""
    offsets = [i for i, char in enumerate(text) if char != " " and (i == 0 or text[i - 1] == " ")]
    words, clock = [], 0.0
    for number, offset in enumerate(offsets):
        length = text.find(" ", offset) - offset if " " in text[offset:] else len(text) - offset
        words.append([offset, length, clock, clock + seconds_per_word - 0.05])
        clock += seconds_per_word + (2.0 if number == pause_after else 0.0)
    made = Timeline()
    made.add(text, 0, clock, words)
    return made


def test_sentences_are_never_joined() -> None:
    made = cues(timeline("One. Two three. Four!").words)
    assert [cue.text for cue in made] == ["One.", "Two three.", "Four!"]


def test_a_long_sentence_is_cut_after_a_comma_into_balanced_lines() -> None:
    text = ("Later that afternoon, while their parents cooked dinner in the small kitchen, the "
            "children played in the garden until the sun went down behind the hills.")
    made = cues(timeline(text, 0.2).words)
    assert made[0].lines == ("Later that afternoon, while their parents",
                             "cooked dinner in the small kitchen,")
    assert all(len(cue.lines) <= 2 and all(len(line) <= 42 for line in cue.lines) for cue in made)
    assert " ".join(cue.text.replace("\n", " ") for cue in made) == text


def test_a_cue_lasts_seven_seconds_at_most_and_ends_at_a_silence() -> None:
    slow = cues(timeline("So very slowly said are all of these words here.", 1.0).words)
    assert len(slow) == 2 and all(cue.end - cue.start <= 7.0 for cue in slow)
    paused = cues(timeline("Wait for it and then go on.", pause_after=2).words)
    assert [cue.text for cue in paused] == ["Wait for it", "and then go on."]
    assert paused[1].start - paused[0].end > 2.0


def test_lines_and_files() -> None:
    assert lines("short") == ("short",)
    made = cues(timeline("Hello there. General Kenobi.").words)
    assert srt(made).startswith("1\n00:00:00,000 --> 00:00:00,550\nHello there.\n\n2\n")
    assert vtt(made).startswith("WEBVTT\n\n00:00:00,000".replace(",", "."))
