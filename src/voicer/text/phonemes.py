"""Phonemes as callers write them (IPA, CMU ARPAbet) in espeak-ng's own mnemonics, which it
reads between ``[[`` and ``]]``; and those mnemonics back as IPA, as espeak-ng writes its
American English (``ɹ``, ``ɚ``, ``oʊ``), for the neural engines, which read the same ``[[…]]``."""

from __future__ import annotations

import re
from collections.abc import Callable

ALPHABETS = ("ipa", "cmu-arpabet")

_ARPABET = {
    "AA": "A:", "AE": "a", "AH": "V", "AO": "O:", "AW": "aU", "AX": "@", "AY": "aI", "EH": "E",
    "ER": "3:", "EY": "eI", "IH": "I", "IX": "I", "IY": "i:", "OW": "oU", "OY": "OI", "UH": "U",
    "UW": "u:", "B": "b", "CH": "tS", "D": "d", "DH": "D", "DX": "*", "F": "f", "G": "g",
    "HH": "h", "JH": "dZ", "K": "k", "L": "l", "M": "m", "N": "n", "NG": "N", "P": "p", "R": "r",
    "S": "s", "SH": "S", "T": "t", "TH": "T", "V": "v", "W": "w", "Y": "j", "Z": "z", "ZH": "Z",
}
_UNSTRESSED_ARPABET = {"AH": "@", "ER": "3"}
# IPA symbols (longest first when read) to espeak-ng mnemonics
_IPA = {
    "tʃ": "tS", "dʒ": "dZ", "oʊ": "oU", "əʊ": "oU", "aɪ": "aI", "aʊ": "aU", "ɔɪ": "OI",
    "eɪ": "eI", "ɪə": "i@", "eə": "e@", "ʊə": "U@", "ɜː": "3:", "ɑː": "A:", "ɔː": "O:",
    "iː": "i:", "uː": "u:", "ə": "@", "ɚ": "3", "ɝ": "3:", "æ": "a", "ɑ": "A", "ɒ": "0",
    "ɔ": "O", "ʊ": "U", "ɪ": "I", "ɛ": "E", "ʌ": "V", "ɜ": "3", "θ": "T", "ð": "D", "ʃ": "S",
    "ʒ": "Z", "ŋ": "N", "ɹ": "r", "ɾ": "*", "ɡ": "g", "ʔ": "?", "ɫ": "l", "ɲ": "n^", "ç": "C",
    "x": "x", "ɣ": "Q", "ʎ": "l^", "ɨ": "y", "ʲ": ";", "ˈ": "'", "ˌ": ",", "ː": ":", ".": "",
    "a": "a", "b": "b", "d": "d", "e": "e", "f": "f", "g": "g", "h": "h", "i": "i", "j": "j",
    "k": "k", "l": "l", "m": "m", "n": "n", "o": "o", "p": "p", "r": "r", "s": "s", "t": "t",
    "u": "u", "v": "v", "w": "w", "y": "y", "z": "z", " ": " ",
}
_IPA_SYMBOL = re.compile("|".join(re.escape(s) for s in sorted(_IPA, key=len, reverse=True)))


# espeak-ng mnemonics (longest first when read) to IPA
_MNEMONICS = {
    "tS": "tʃ", "dZ": "dʒ", "oU": "oʊ", "aI": "aɪ", "aU": "aʊ", "OI": "ɔɪ", "eI": "eɪ",
    "i@": "ɪɹ", "e@": "ɛɹ", "U@": "ʊɹ", "3:": "ɜː", "A:": "ɑː", "O:": "ɔː", "i:": "iː",
    "u:": "uː", "n^": "ɲ", "l^": "ʎ", "@": "ə", "3": "ɚ", "a": "æ", "A": "ɑ", "0": "ɑ",
    "O": "ɔ", "U": "ʊ", "I": "ɪ", "E": "ɛ", "V": "ʌ", "T": "θ", "D": "ð", "S": "ʃ", "Z": "ʒ",
    "N": "ŋ", "r": "ɹ", "*": "ɾ", "g": "ɡ", "?": "ʔ", "C": "ç", "Q": "ɣ", ";": "ʲ", "'": "ˈ",
    ",": "ˌ", ":": "ː", "_": " ",
}
_MNEMONIC = re.compile("|".join(re.escape(s) for s in sorted(_MNEMONICS, key=len, reverse=True)))
_GIVEN = re.compile(r"\[\[(.*?)\]\]")
_VOWELS = frozenset("aeiouyæɑɒɔəɚɛɜɝɪʊʌɐɨøœɵɯɤ")
_MARKS = frozenset(",.;:!?…—")


def to_espeak(phonemes: str, alphabet: str) -> str:
    """``phonemes`` in espeak-ng's mnemonics; ``ValueError`` naming a symbol it cannot read."""
    if alphabet == "cmu-arpabet":
        return _from_arpabet(phonemes)
    return _from_ipa(phonemes)


def _from_arpabet(phonemes: str) -> str:
    spoken = []
    for symbol in phonemes.upper().split():
        base, stress = symbol.rstrip("012"), symbol[len(symbol.rstrip("012")):]
        if base not in _ARPABET:
            raise ValueError(f"{symbol!r} is not a CMU ARPAbet phoneme")
        mark = {"1": "'", "2": ","}.get(stress, "")
        sound = _UNSTRESSED_ARPABET.get(base, _ARPABET[base]) if stress == "0" else _ARPABET[base]
        spoken.append(mark + sound)
    if not spoken:
        raise ValueError("no phonemes")
    return "".join(spoken)


def _from_ipa(phonemes: str) -> str:
    text = phonemes.strip().strip("/[]")
    spoken, position = [], 0
    while position < len(text):
        match = _IPA_SYMBOL.match(text, position)
        if match is None:
            raise ValueError(f"{text[position]!r} (U+{ord(text[position]):04X}) is not an IPA "
                             "symbol Voicer reads")
        spoken.append(_IPA[match.group()])
        position = match.end()
    if not "".join(spoken).strip():
        raise ValueError("no phonemes")
    return "".join(spoken).replace(" ", "_")


def to_ipa(mnemonics: str) -> str:
    """espeak-ng's mnemonics (what ``to_espeak`` writes) as IPA, each stress mark right before
    its vowel (as espeak-ng and hibari write them: "təmˈeɪtoʊ"); a letter that is its own
    symbol stays as it is."""
    ipa = _MNEMONIC.sub(lambda match: _MNEMONICS[match.group()], mnemonics)
    out, stress = [], ""
    for symbol in ipa:
        if symbol in "ˈˌ":
            stress = symbol
            continue
        if stress and (symbol in _VOWELS or symbol == " "):
            out.append(stress if symbol in _VOWELS else "")
            stress = ""
        out.append(symbol)
    return "".join(out)


def phonemized(text: str, words: Callable[[str], str], phonemes: Callable[[str], str]) -> str:
    """``text`` as one phoneme string: its words as ``words`` reads them, the phonemes given as
    ``[[…]]`` as ``phonemes`` writes them; a space between pieces, none before a mark."""
    out = ""
    for piece, given_as_phonemes in given(text):
        part = (phonemes(piece) if given_as_phonemes else words(piece)).strip()
        if part:
            out = f"{out} {part}" if out and part[0] not in _MARKS else out + part
    return out


def given(text: str) -> list[tuple[str, bool]]:
    """``text`` in pieces, in order: its words, and the phonemes given as ``[[…]]`` (True)."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _GIVEN.finditer(text):
        pieces += [(text[position:match.start()], False), (match.group(1), True)]
        position = match.end()
    pieces.append((text[position:], False))
    return [(piece, phonemes) for piece, phonemes in pieces if piece]
