"""SSML read into edits, breaks and prosody; refused where malformed, saying where."""

import time

import pytest

from voicer.errors import InvalidInput
from voicer.text import SplitType, split_text
from voicer.text.normalize import Normalization
from voicer.text.prepare import prepare
from voicer.text.prosody import PLAIN, Prosody
from voicer.text.ssml import check, context

DOCUMENT = ('<speak>Hello <prosody rate="slow" volume="+6dB">slow &amp; loud</prosody> '
            '<break strength="strong"/><sub alias="World Health Organization">WHO</sub> '
            '<say-as interpret-as="characters">ABC</say-as> <lang xml:lang="uk">Привіт</lang> '
            "12/03/2025.</speak>")


def test_a_document_is_said_without_its_tags() -> None:
    script = prepare(DOCUMENT, "en", Normalization.on)
    assert script.said.text == ("Hello slow & loud World Health Organization A B C Привіт "
                                "December third, twenty twenty-five.")
    assert script.pauses == ((18, 0.75),)
    said = {script.said.text[p.start:p.end].strip(): p.prosody for p in script.parts()}
    assert said["slow & loud"] == Prosody(rate=0.8, volume=6.0)
    assert said["Привіт"] == Prosody(language="uk")
    assert said["Hello"] == PLAIN


@pytest.mark.parametrize(("kind", "content", "said"), [
    ("cardinal", "1200", "one thousand two hundred"),
    ("ordinal", "3", "third"),
    ("characters", "SSML", "S S M L"),
    ("telephone", "555-0123", "5 5 5, 0 1 2 3"),
    ("date", "2025-03-12", "March twelfth, twenty twenty-five"),
    ("time", "9:05", "nine oh five"),
])
def test_say_as(kind: str, content: str, said: str) -> None:
    text = f'<speak><say-as interpret-as="{kind}">{content}</say-as></speak>'
    assert prepare(text, "en", Normalization.off).said.text == said


def test_say_as_a_date_in_the_format_given() -> None:
    text = '<speak><say-as interpret-as="date" format="dmy">12/03/2025</say-as></speak>'
    assert prepare(text, "ru", Normalization.off).said.text == (
        "двенадцатое марта две тысячи двадцать пятого года")


def test_nested_prosody_multiplies() -> None:
    text = ('<speak><prosody rate="50%"><emphasis level="strong">'
            "very</emphasis> slow</prosody></speak>")
    script = prepare(text, "en", Normalization.off)
    changes = [prosody for _, prosody in script.changes]
    assert changes[0].rate == pytest.approx(0.5) and changes[1].rate == pytest.approx(0.425)


@pytest.mark.parametrize(("text", "problem"), [
    ("<speak>Hello", "character 12: <speak> is never closed"),
    ("<speak>a</prosody></speak>", "character 8: </prosody> closes <speak>"),
    ("<speak><blink>a</blink></speak>", "character 7: <blink> is not an SSML element"),
    ('<speak><prosody rate="warp">a</prosody></speak>', "rate 'warp' is not"),
    ('<speak><break strength="huge"/></speak>', "strength 'huge' is not one of"),
    ('<speak><break time="9s"/></speak>', "over the 3 s"),
    ("<speak>a < b</speak>", "character 9: '<' in SSML text is written &lt;"),
])
def test_malformed_ssml_is_refused_saying_where(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check(text)
    assert refused.value.field == "text" and problem in refused.value.message


def test_a_chunk_is_read_inside_the_tags_open_where_it_starts() -> None:
    text = ('<speak><prosody rate="slow">' + "One sentence here. " * 6
            + '</prosody> Normal again.</speak>')
    chunks = split_text(text, SplitType.sentences, 60)
    for chunk in chunks:
        assert chunk.text.count("<") == chunk.text.count(">")
    second = chunks[1]
    assert context(text, second.start) == '<speak><prosody rate="slow">'
    script = prepare(second.text, "en", Normalization.off, context=context(text, second.start))
    assert [part.prosody.rate for part in script.parts()] == [0.8]
    last = chunks[-1]
    parts = list(prepare(last.text, "en", Normalization.off,
                         context=context(text, last.start)).parts())
    assert parts[-1].prosody == PLAIN


@pytest.mark.parametrize("text", [
    "<speak>" + '<sub alias="x">y</sub> ' * 5_000 + "</speak>",
    "<speak>" + "<p>" * 5_000 + "a" + "</p>" * 5_000 + "</speak>",
    "<speak>" + "&amp;" * 10_000 + "</speak>",
])
def test_a_large_document_is_read_in_one_pass(text: str) -> None:
    started = time.perf_counter()
    check(text)
    prepare(text, "en", Normalization.on)
    assert time.perf_counter() - started < 2.0
