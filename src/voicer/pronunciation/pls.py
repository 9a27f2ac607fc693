"""W3C Pronunciation Lexicon Specification (PLS) files: read into rules, written from them.

    <lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
             alphabet="ipa" xml:lang="en-US">
      <lexeme><grapheme>tomato</grapheme><phoneme>təˈmeɪtoʊ</phoneme></lexeme>
      <lexeme><grapheme>UN</grapheme><alias>United Nations</alias></lexeme>
    </lexicon>

A lexeme with several graphemes gives a rule for each. No DTDs or entities are read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from pydantic import ValidationError

from voicer.pronunciation.rules import AliasRule, PhonemeRule

NAMESPACE = "http://www.w3.org/2005/01/pronunciation-lexicon"
MAX_BYTES = 1_000_000
# How PLS files name the alphabets ElevenLabs takes
_ALPHABETS = {"ipa": "ipa", "cmu-arpabet": "cmu-arpabet", "x-cmu-arpabet": "cmu-arpabet",
              "x-cmu": "cmu-arpabet", "cmu": "cmu-arpabet"}


def read(data: bytes) -> list[AliasRule | PhonemeRule]:
    """The rules of a PLS file; ``ValueError`` saying what is wrong with it."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"the PLS file is over {MAX_BYTES:,} bytes")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("the PLS file declares a DTD or entities, which are not read")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise ValueError(f"the PLS file is not well-formed XML: {error}") from None
    if _local(root.tag) != "lexicon":
        raise ValueError(f"a PLS file's root is <lexicon>, not <{_local(root.tag)}>")
    alphabet = _alphabet(root.get("alphabet", "ipa"))
    rules: list[AliasRule | PhonemeRule] = []
    for number, lexeme in enumerate(_children(root, "lexeme"), 1):
        rules += _lexeme(lexeme, alphabet, number)
    return rules


def write(rules: Sequence[AliasRule | PhonemeRule], language: str = "en-US") -> bytes:
    """``rules`` as a PLS file (IPA lexicon; CMU ARPAbet phonemes say so on themselves)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<lexicon version="1.0" xmlns="{NAMESPACE}" alphabet="ipa" '
             f"xml:lang={quoteattr(language)}>"]
    for rule in rules:
        lines.append(f"  <lexeme>\n    <grapheme>{escape(rule.string_to_replace)}</grapheme>")
        if isinstance(rule, AliasRule):
            lines.append(f"    <alias>{escape(rule.alias)}</alias>")
        elif rule.alphabet == "ipa":
            lines.append(f"    <phoneme>{escape(rule.phoneme)}</phoneme>")
        else:
            lines.append(f'    <phoneme alphabet="{rule.alphabet}">{escape(rule.phoneme)}</phoneme>')
        lines.append("  </lexeme>")
    lines.append("</lexicon>\n")
    return "\n".join(lines).encode()


def _lexeme(lexeme: ElementTree.Element, alphabet: str,
            number: int) -> list[AliasRule | PhonemeRule]:
    graphemes = [(g.text or "").strip() for g in _children(lexeme, "grapheme")]
    aliases = [(a.text or "").strip() for a in _children(lexeme, "alias")]
    phonemes = list(_children(lexeme, "phoneme"))
    if not any(graphemes):
        raise ValueError(f"lexeme {number} has no <grapheme>")
    try:
        if aliases and aliases[0]:
            return [AliasRule(string_to_replace=g, alias=aliases[0]) for g in graphemes if g]
        if phonemes and (phonemes[0].text or "").strip():
            said = (phonemes[0].text or "").strip()
            own = _alphabet(phonemes[0].get("alphabet", alphabet))
            rules = [PhonemeRule(string_to_replace=g, phoneme=said, alphabet=own)
                     for g in graphemes if g]
            rules[0].espeak()
            return list(rules)
    except (ValidationError, ValueError) as error:
        raise ValueError(f"lexeme {number}: {_first(error)}") from None
    raise ValueError(f"lexeme {number} has neither an <alias> nor a <phoneme>")


def _alphabet(name: str) -> str:
    alphabet = _ALPHABETS.get(name.lower())
    if alphabet is None:
        raise ValueError(f"alphabet {name!r} is not one of ipa, cmu-arpabet")
    return alphabet


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _local(child.tag) == name]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _first(error: Exception) -> str:
    if isinstance(error, ValidationError):
        problem = error.errors()[0]
        return f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}"
    return str(error)
