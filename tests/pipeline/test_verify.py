"""What a verified chunk's word error rate counts: words said and not heard, never how a
number, a spelling or punctuation is written."""

from __future__ import annotations

import pytest

from voicer.pipeline.verify import spoken_error_rate
from voicer.text.normalize import Normalization
from voicer.text.prepare import prepare


def said(text: str, language: str = "en") -> str:
    """What an engine is given for ``text``: markup read, normalized."""
    return prepare(text, language, Normalization.on).said.text


@pytest.mark.parametrize(("text", "heard"), [
    ("The price of bread in 1923, for the first time!", "The price of bread in 1923 for the first time."),
    ("Visitors may stay until nine in the evening.", "Visitors may stay until 9 in the evening."),
    ("It holds about 300 books.", "It holds about three hundred books"),
    ("Our neighbour's harbour.", "our neighbor's harbor"),
    ("[whisper] The door <break time=\"1s\"/> opened.", "The door opened."),
    ("He came 2nd.", "He came second."),
])
def test_how_it_is_written_is_no_error(text: str, heard: str) -> None:
    assert spoken_error_rate(said(text), heard, "en") == 0.0


def test_a_skipped_sentence_is() -> None:
    text = "The boats were painted blue. A gentle song drifted over the water."
    assert spoken_error_rate(said(text), "The boats were painted blue.", "en") == pytest.approx(
        7 / 12)


def test_numbers_read_in_another_language() -> None:
    assert spoken_error_rate(said("У нас 5 яблок.", "ru"), "У нас пять яблок", "ru") == 0.0
