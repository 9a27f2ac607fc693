"""ElevenLabs' markup in plain text: breaks and phoneme elements, read and refused."""

import time

import pytest

from voicer.errors import InvalidInput
from voicer.text import SplitType, split_text
from voicer.text.markup import Break, Phoneme, complete_before, mask, parse
from voicer.text.normalize import Normalization
from voicer.text.phonemes import to_espeak
from voicer.text.prepare import prepare


def test_breaks_and_phonemes_are_found_where_they_are() -> None:
    text = ('Hi <break time="1.5s"/> there '
            '<phoneme alphabet="cmu-arpabet" ph="M AE1 D IH0 S AH0 N">Madison</phoneme>.')
    breaks, phoneme = parse(text)
    assert breaks == Break(3, 23, 1.5)
    assert isinstance(phoneme, Phoneme)
    assert text[phoneme.start:phoneme.end].endswith("</phoneme>")
    assert phoneme.espeak == "m'adIs@n" and phoneme.word == "Madison"


@pytest.mark.parametrize(("written", "seconds"), [
    ('<break time="1.5s"/>', 1.5), ("<break time='500ms' />", 0.5), ('<BREAK time="3s">', 3.0),
    ('<break time=".25s"/>', 0.25),
])
def test_break_times(written: str, seconds: float) -> None:
    [found] = parse(f"a {written} b")
    assert isinstance(found, Break) and found.seconds == seconds


@pytest.mark.parametrize(("text", "problem"), [
    ('One <break time="4s"/> two', "character 4: <break> time '4s' is over the 3 s"),
    ('One <break time="soon"/>', "character 4: <break> time 'soon' is not seconds"),
    ("One <break/>", "character 4: <break> needs a time"),
    ('One <break time=1s/>', "character 4: <break> has an attribute that is not"),
    ('Say <phoneme ph="HH AH0">word', "character 4: <phoneme> has no </phoneme>"),
    ('Say <phoneme alphabet="x-sampa" ph="a">a</phoneme>', "alphabet 'x-sampa' is not one of"),
    ('Say <phoneme alphabet="cmu-arpabet" ph="QQ1">a</phoneme>', "'QQ1' is not a CMU ARPAbet"),
    ('Say <phoneme ph="">a</phoneme>', "needs a ph attribute"),
    ("Stray </phoneme> here", "character 6: </phoneme> closes nothing"),
])
def test_malformed_markup_is_refused_saying_where(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match="markup at") as refused:
        parse(text)
    assert refused.value.field == "text"
    assert problem in refused.value.message


def test_other_angle_brackets_are_text() -> None:
    assert parse("if a < b and c > d, <b>bold</b>") == []


def test_ipa_reads_as_espeak_phonemes() -> None:
    assert to_espeak("/ˈtʃɪp/", "ipa") == "'tSIp"
    assert to_espeak("həˈloʊ", "ipa") == "h@'loU"
    with pytest.raises(ValueError, match="U\\+263A"):
        to_espeak("☺", "ipa")


def test_chunking_never_splits_a_tag() -> None:
    text = ("Breathe in slowly. " * 3 + '<break time="2.5s"/> ' + "Now out. " * 3
            + '<phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomato</phoneme> ends it.')
    assert len(mask(text)) == len(text)
    for split_type in SplitType:
        for limit in (20, 30, 60):
            chunks = split_text(text, split_type, limit)
            for chunk in chunks:
                assert chunk.text.count("<") == chunk.text.count(">"), (split_type, limit, chunk)
                assert chunk.text.count("<phoneme") == chunk.text.count("</phoneme>")


def test_a_tag_still_being_written_waits() -> None:
    assert complete_before('Hello <break time="1', 20) == 0
    assert complete_before('Say hello <break time="1', 24) == 4
    assert complete_before('Say hello <phoneme ph="a">tom', 29) == 4
    assert complete_before('Hello <break time="1s"/> more', 29) == 29
    assert complete_before('<break time="1s"/> <phoneme ph="a">to', 37) == 0


def test_prepared_text_has_no_tags_and_pauses_where_the_breaks_were() -> None:
    text = 'Wait <break time="1s"/>for it, 5 km <break time="500ms"/>away.'
    script = prepare(text, "en", Normalization.on)
    assert script.said.text == "Wait for it, five kilometers away."
    assert script.pauses == ((5, 1.0), (29, 0.5))
    assert [(p.start, p.end, p.pause) for p in script.parts()] == [
        (0, 5, 1.0), (5, 29, 0.5), (29, 34, 0.0)]
    # the words after a break map back past the tag
    assert text[script.said.origin(script.said.text.index("away"))] == "a"


def test_phonemes_go_to_espeak_and_a_callers_brackets_stay_text() -> None:
    text = '[[x]] <phoneme alphabet="ipa" ph="tʃɪp">chip</phoneme>'
    assert prepare(text, "en", Normalization.off, reads_phonemes=True).said.text == \
        "[ [x]] [[tSIp]]"
    assert prepare(text, "en", Normalization.off).said.text == "[[x]] chip"


def test_many_unfinished_phoneme_elements_are_looked_at_once() -> None:
    text = '<phoneme ph="a">' * 20_000
    started = time.perf_counter()
    cut = complete_before(text, len(text))
    assert time.perf_counter() - started < 1.0
    assert text[cut] == "<"  # never inside a tag
