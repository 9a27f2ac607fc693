"""Pronunciation rules: read from PLS, written back, and applied to a text."""

import pytest

from voicer.pronunciation import pls
from voicer.pronunciation.rules import AliasRule, PhonemeRule
from voicer.text.normalize import Normalization
from voicer.text.prepare import prepare

LEXICON = b"""<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>tomato</grapheme><phoneme>t\xc9\x99\xcb\x88m\xc9\x91\xcb\x90to\xca\x8a</phoneme></lexeme>
  <lexeme><grapheme>UN</grapheme><grapheme>U.N.</grapheme><alias>United Nations</alias></lexeme>
  <lexeme><grapheme>Nginx</grapheme>
    <phoneme alphabet="x-cmu-arpabet">EH1 N JH IH0 N EH2 K S</phoneme></lexeme>
</lexicon>
"""


def test_a_pls_file_reads_into_rules() -> None:
    rules = pls.read(LEXICON)
    assert rules == [
        PhonemeRule(string_to_replace="tomato", phoneme="təˈmɑːtoʊ", alphabet="ipa"),
        AliasRule(string_to_replace="UN", alias="United Nations"),
        AliasRule(string_to_replace="U.N.", alias="United Nations"),
        PhonemeRule(string_to_replace="Nginx", phoneme="EH1 N JH IH0 N EH2 K S",
                    alphabet="cmu-arpabet"),
    ]


def test_written_rules_read_back_the_same() -> None:
    rules = pls.read(LEXICON)
    assert pls.read(pls.write(rules)) == rules


@pytest.mark.parametrize(("data", "problem"), [
    (b"<lexicon", "not well-formed"),
    (b"<speak/>", "root is <lexicon>"),
    (b'<!DOCTYPE x [<!ENTITY a "b">]><lexicon/>', "DTD"),
    (b"<lexicon><lexeme><alias>x</alias></lexeme></lexicon>", "lexeme 1 has no <grapheme>"),
    (b"<lexicon><lexeme><grapheme>x</grapheme></lexeme></lexicon>", "neither an <alias>"),
    (b'<lexicon alphabet="sampa"/>', "alphabet 'sampa'"),
    (b"<lexicon><lexeme><grapheme>x</grapheme><phoneme>\xe2\x98\xba</phoneme></lexeme></lexicon>",
     "lexeme 1: "),
])
def test_a_bad_pls_file_is_refused_saying_why(data: bytes, problem: str) -> None:
    with pytest.raises(ValueError) as refused:
        pls.read(data)
    assert problem in str(refused.value)


def test_aliases_are_said_and_map_back_to_the_word() -> None:
    text = "The UN met the un-aligned. The UN again."
    script = prepare(text, "en", Normalization.on,
                     lexicon=[AliasRule(string_to_replace="UN", alias="United Nations")])
    said = script.said
    assert said.text == "The United Nations met the un-aligned. The United Nations again."
    nations = said.text.index("Nations")
    assert text[said.origin(nations)] in "UN"
    assert said.origin(said.text.index("met")) == text.index("met")


def test_the_first_dictionary_wins_and_rules_beat_normalization() -> None:
    lexicon = [AliasRule(string_to_replace="Dr.", alias="Drive"),
               AliasRule(string_to_replace="Dr.", alias="Doctor", case_sensitive=False)]
    assert prepare("Mulholland Dr.", "en", Normalization.on,
                   lexicon=lexicon).said.text == "Mulholland Drive"
    case = [AliasRule(string_to_replace="nasa", alias="Nasa agency", case_sensitive=False)]
    assert prepare("NASA", "en", Normalization.on, lexicon=case).said.text == "Nasa agency"


def test_phoneme_rules_go_to_an_engine_that_reads_them() -> None:
    lexicon = [PhonemeRule(string_to_replace="tomato", phoneme="təˈmɑːtoʊ")]
    assert prepare("A tomato.", "en", Normalization.on, True, lexicon).said.text == \
        "A [[t@'mA:toU]]."
    assert prepare("A tomato.", "en", Normalization.on, False, lexicon).said.text == "A tomato."
