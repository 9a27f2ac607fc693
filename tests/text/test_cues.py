"""Audio tags in square brackets: never said; pauses exact; whispers and the like as prosody."""

from __future__ import annotations

from voicer.text import cues, markup
from voicer.text.normalize import Normalization
from voicer.text.prepare import prepare


def test_tags_are_taken_out_and_become_pauses_or_prosody() -> None:
    script = prepare("Hello [whispers] I have a secret. [pause] Bye [laughs].", "en",
                     Normalization.off)
    assert script.said.text == "Hello I have a secret. Bye ."
    assert script.pauses == ((len("Hello I have a secret. "), 0.5),)
    ((at, prosody),) = script.changes
    assert at == len("Hello ") and prosody.volume == -12.0


def test_text_in_brackets_that_is_no_tag_stays() -> None:
    assert prepare("See [1] and [[h@l@U]].", "en", Normalization.off).said.text == (
        "See [1] and [[h@l@U]].")
    assert [(c.start, c.end) for c in cues.find("a [long pause] b")] == [(2, 15)]


def test_a_tag_is_never_cut_by_chunking_or_a_websocket_message() -> None:
    text = "One two [long pause] three."
    assert " " not in markup.mask(text)[8:20]
    assert markup.complete_before("One two [long pa", 16) <= len("One two ")  # waits for "]"
    assert "whispers" not in markup.plain("[whispers] Добрый вечер.")
