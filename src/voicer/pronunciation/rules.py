"""A dictionary's rules, and where they apply in a text.

An alias rule says ``string_to_replace`` as ``alias``; a phoneme rule says it as ``phoneme``
(IPA or CMU ARPAbet). By ElevenLabs' defaults a rule matches whole words, case sensitively.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from voicer.text.phonemes import to_espeak
from voicer.text.rewrite import Edit


class AliasRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["alias"] = "alias"
    string_to_replace: str = Field(min_length=1, max_length=200)
    alias: str = Field(min_length=1, max_length=500)
    case_sensitive: bool | None = None  # None: ElevenLabs' default, true
    word_boundaries: bool | None = None  # None: ElevenLabs' default, true


class PhonemeRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["phoneme"] = "phoneme"
    string_to_replace: str = Field(min_length=1, max_length=200)
    phoneme: str = Field(min_length=1, max_length=500)
    alphabet: Literal["ipa", "cmu-arpabet"] = "ipa"
    case_sensitive: bool | None = None  # None: ElevenLabs' default, true
    word_boundaries: bool | None = None  # None: ElevenLabs' default, true

    def espeak(self) -> str:
        return to_espeak(self.phoneme, self.alphabet)


Rule = Annotated[AliasRule | PhonemeRule, Field(discriminator="type")]


def check(rules: Sequence[AliasRule | PhonemeRule]) -> None:
    """``ValueError`` naming the first phoneme rule whose phonemes cannot be read."""
    for number, rule in enumerate(rules):
        if isinstance(rule, PhonemeRule):
            try:
                rule.espeak()
            except ValueError as error:
                raise ValueError(f"rules[{number}] ({rule.string_to_replace!r}): {error}") from None


def edits(text: str, rules: Iterable[AliasRule | PhonemeRule], reads_phonemes: bool) -> Iterator[Edit]:
    """Where ``rules`` (the first that matches wins) apply in ``text``: an alias is said instead
    of the word; phonemes go to an engine that reads them (others say the word as it is)."""
    for rule in rules:
        if isinstance(rule, PhonemeRule) and not reads_phonemes:
            continue
        said = rule.alias if isinstance(rule, AliasRule) else f"[[{rule.espeak()}]]"
        for match in _pattern(rule).finditer(text):
            yield Edit(match.start(), match.end(), said)


def _pattern(rule: AliasRule | PhonemeRule) -> re.Pattern[str]:
    written = re.escape(rule.string_to_replace)
    if rule.word_boundaries is not False:
        written = rf"(?<!\w){written}(?!\w)"
    return re.compile(written, 0 if rule.case_sensitive is not False else re.IGNORECASE)
