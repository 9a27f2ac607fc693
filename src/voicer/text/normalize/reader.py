"""What a language knows to read written numbers, dates, money and abbreviations aloud."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from num2words import num2words

from voicer.text.normalize.amounts import Amount

__all__ = ["SCALES", "Reader", "frozen", "words"]

# Scale words, by the power of ten they stand for.
SCALES = {3: "thousand", 6: "million", 9: "billion", 12: "trillion"}


K = TypeVar("K")
V = TypeVar("V")


def frozen(table: dict[K, V]) -> Mapping[K, V]:
    """A reader's table, read-only: readers are shared by every request."""
    return MappingProxyType(table)


def words(number: int | float | str, language: str, **options: Any) -> str:
    """num2words, typed, without the commas it puts between thousands (they would be pauses)."""
    return str(num2words(number, lang=language, **options)).replace(",", "")


class Reader(ABC):
    """A language's way of reading; the scanner (``voicer.text.normalize``) finds what to read."""

    code: str
    comma_is_decimal: bool
    # months as written in dates ("March", "марта"), lower-case, to their number
    months: Mapping[str, int]
    # currency symbols and words written after an amount, to ISO codes
    currencies: Mapping[str, str]
    # scale words written after an amount ("M", "млн"), to powers of ten
    scales: Mapping[str, int]
    # unit symbols written after an amount ("km", "кг"), to the unit's key in ``unit``
    units: Mapping[str, str]
    # words before a roman numeral that make it a cardinal ("Chapter IV")
    chapter_words: frozenset[str]
    # names before a roman numeral that make it a regnal ordinal ("Henry VIII"), lower-case;
    # any capitalized word does before a numeral of two letters or more
    regnal_names: frozenset[str]
    # (pattern, spoken) pairs for abbreviations and titles, tried in order
    abbreviations: tuple[tuple[re.Pattern[str], str], ...]
    # the ordinal endings written after digits ("3rd", "3-й")
    ordinal_endings: str
    # what the characters between the parts of an address are called
    symbols: Mapping[str, str]

    def cardinal(self, amount: Amount) -> str:
        return words(str(amount) if amount.fraction else amount.whole, self.code)

    @abstractmethod
    def ordinal(self, number: int, ending: str = "") -> str:
        """``number`` as an ordinal; ``ending`` as written after it ("rd", "-го") picks the form."""

    @abstractmethod
    def number_before(self, amount: Amount, following: str) -> str | None:
        """A number read in agreement with the word after it ("2025 года"), ``None`` if that
        word asks nothing of it."""

    @abstractmethod
    def date(self, day: int, month: int, year: int | None, case: str = "n") -> str:
        """A date; ``case`` (Russian, Ukrainian) is the case the word before asks for."""

    def case_after(self, word: str) -> str:
        """The case the word before a date puts it in ("до" → genitive); "n" if none."""
        return "n"

    @abstractmethod
    def time(self, hours: int, minutes: int, seconds: int | None, meridiem: str) -> str: ...

    @abstractmethod
    def money(self, amount: Amount, currency: str, scale: int | None) -> str: ...

    @abstractmethod
    def quantity(self, amount: Amount, unit: str, scale: int | None = None) -> str:
        """An amount of a unit ("percent", "km"…), or of nothing but a scale ("5 млн")."""

    @abstractmethod
    def regnal(self, name: str, number: int) -> str:
        """"Henry VIII": the name and its ordinal."""

    def chapter(self, word: str, number: int) -> str:
        return f"{word} {words(number, self.code)}"

    def day_first(self, first: int, second: int) -> bool:
        """Whether a numeric date "first/second/year" gives the day first."""
        return True

    def address(self, written: str) -> str:
        """A URL or an e-mail address, part by part, its punctuation named."""
        spoken = []
        for part in re.split(r"([^\w]|_)", re.sub(r"^[a-z]+://", "", written)):
            if not part:
                continue
            if part.isdigit():
                spoken.append(words(int(part), self.code))
            elif part in self.symbols:
                spoken.append(self.symbols[part])
            elif part.strip():
                spoken.append(part)
        return " ".join(spoken)
