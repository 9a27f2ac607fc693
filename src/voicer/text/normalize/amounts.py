"""Numbers as written: digits with thousands separators and a decimal mark, roman numerals."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Digits, grouped by thousands with a space, a no-break space, a thin space, a comma or a
# dot, and an optional decimal part; up to fifteen digits each side (trillions), longer
# runs are left to the engine.
AMOUNT = (r"\d{1,3}(?:[ \u00a0\u202f\u2009,.]\d{3}){1,4}(?:[.,]\d{1,15})?(?!\d)"
          r"|\d{1,15}(?:[.,]\d{1,15})?(?!\d)")
_SEPARATORS = re.compile(r"[ \u00a0\u202f\u2009]")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
ROMAN = r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"


@dataclass(frozen=True, slots=True)
class Amount:
    """A written number: its whole part and the digits after its decimal mark ("" if none)."""

    whole: int
    fraction: str = ""

    @property
    def is_whole(self) -> bool:
        return not self.fraction

    def __str__(self) -> str:
        return f"{self.whole}.{self.fraction}" if self.fraction else str(self.whole)


def parse_amount(written: str, comma_is_decimal: bool) -> Amount:
    """``written`` as a number. A lone comma or dot before exactly three digits groups
    thousands ("1,200", "1.200"), except that a comma is the decimal mark where the language
    writes it so (Russian, Ukrainian: "3,500" is three and a half)."""
    digits = _SEPARATORS.sub("", written)
    marks = [c for c in digits if c in ",."]
    if not marks:
        return Amount(int(digits))
    last = max(digits.rfind(","), digits.rfind("."))
    tail = digits[last + 1:]
    decimal = (len(set(marks)) == 2 or
               (len(marks) == 1 and (len(tail) != 3 or (digits[last] == "," and comma_is_decimal))))
    if decimal:
        whole = re.sub(r"[,.]", "", digits[:last])
        return Amount(int(whole or "0"), tail)
    return Amount(int(re.sub(r"[,.]", "", digits)))


def roman(numeral: str) -> int | None:
    """The value of a well-formed roman numeral, ``None`` if it is not one."""
    if not numeral or not re.fullmatch(ROMAN, numeral):
        return None
    values = [_ROMAN[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v
               for i, v in enumerate(values))
