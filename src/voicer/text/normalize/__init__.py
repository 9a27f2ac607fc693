"""Text normalization: what is written ("12/03/2025", "$5.2M", "д-р", "Henry VIII") as it is
said, for English, Russian and Ukrainian, with num2words for the number words.

:func:`normalize` returns edits of the caller's text, never a new string alone, so timings
still point at what the caller sent (``voicer.text.rewrite``). Other languages are left as
written: espeak-ng reads their digits itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from enum import StrEnum
from functools import cache

from voicer.text.normalize.amounts import AMOUNT, ROMAN, Amount, parse_amount, roman
from voicer.text.normalize.english import English
from voicer.text.normalize.reader import Reader
from voicer.text.normalize.slavic import Russian, Ukrainian
from voicer.text.rewrite import Edit, Rewritten, merge

__all__ = ["LANGUAGES", "Normalization", "normalize", "say_as"]

READERS: dict[str, Reader] = {reader.code: reader for reader in (English(), Russian(), Ukrainian())}
LANGUAGES = frozenset(READERS)


_LAST_WORD = re.compile(r"(\w+)\s+$")
# after a written form whose dot also ends its sentence ("1 200 грн." at the end)
_SENTENCE_ENDS = re.compile(r"\s*\Z|\s*\n|\s+[A-ZА-ЯЁІЇЄҐ]")


class Normalization(StrEnum):
    """``apply_text_normalization``, as ElevenLabs names its values."""

    auto = "auto"  # on for the local engines; the upstream decides for its own voices
    on = "on"
    off = "off"


def normalize(text: str, language: str | None) -> list[Edit]:
    """The edits that make ``text`` read as said in ``language`` (none for other languages)."""
    reader = READERS.get((language or "").split("-")[0].lower())
    if reader is None:
        return []
    return merge(_scan(text, reader), _abbreviations(text, reader))


def say_as(content: str, kind: str, written_format: str, language: str) -> str:
    """SSML's ``say-as``: ``content`` read as a cardinal, an ordinal, a date, a time, its
    characters one by one, or a telephone number digit by digit."""
    reader = READERS.get(language.split("-")[0].lower())
    digits = re.sub(r"[\s,.\u00a0]", "", content)
    if kind == "characters" or kind == "spell-out":
        return " ".join(c for c in content if not c.isspace())
    if kind == "telephone":
        groups = re.split(r"[\s().-]+", content.strip())
        return ", ".join(" ".join(group) for group in groups if group)
    if reader is None:
        return content
    if kind == "cardinal" and re.fullmatch(AMOUNT, content.strip()):
        return reader.cardinal(_amount(content.strip(), reader))
    if kind == "ordinal" and digits.isdigit():
        return reader.ordinal(int(digits))
    if kind == "date" and written_format:
        return _formatted_date(content, written_format, reader) or content
    return Rewritten.apply(content, normalize(content, language)).text


def _formatted_date(content: str, written_format: str, reader: Reader) -> str | None:
    """A date in the order SSML's ``format`` says ("dmy", "mdy", "ymd")."""
    parts = [int(part) for part in re.findall(r"\d+", content)]
    order = written_format.lower()
    if len(parts) != len(order) or set(order) - set("dmy"):
        return None
    found = dict(zip(order, parts, strict=True))
    if not (1 <= found.get("d", 1) <= 31 and 1 <= found.get("m", 1) <= 12):
        return None
    year = found.get("y")
    if year is not None and year < 100:
        year += 2000
    return reader.date(found.get("d", 1), found.get("m", 1), year)


def _scan(text: str, reader: Reader) -> Iterator[Edit]:
    for match in _pattern(reader.code).finditer(text):
        try:
            spoken = _read(match, reader, _word_before(text, match.start()))
        except (ArithmeticError, LookupError, ValueError, TypeError, NotImplementedError):
            spoken = None  # a number num2words cannot say: the engine reads it as written
        if spoken is None or spoken == match.group():
            continue
        if match.group().endswith(".") and _SENTENCE_ENDS.match(text, match.end()):
            spoken += "."  # "грн." is also its sentence's full stop: keep the stop
        yield Edit(match.start(), match.end(), spoken)


def _abbreviations(text: str, reader: Reader) -> Iterator[Edit]:
    for pattern, spoken in reader.abbreviations:
        for match in pattern.finditer(text):
            capital = match.group()[0].isupper()  # "Д-р" at a sentence's start: "Доктор"
            yield Edit(match.start(), match.end(), spoken[0].upper() + spoken[1:] if capital
                       else spoken)


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


@cache
def _pattern(code: str) -> re.Pattern[str]:
    reader = READERS[code]
    months = _alternatives(reader.months)
    scales = _alternatives(reader.scales)
    after = _alternatives({**reader.currencies, **reader.units})
    before = _alternatives(reader.ordinal_before) if hasattr(reader, "ordinal_before") else "(?!)"
    ordinal = (rf"(?<!\d)(?P<on>\d{{1,9}})(?P<oe>{reader.ordinal_endings})\b" if code == "en"
               else rf"(?<!\d)(?P<on>\d{{1,9}})-(?P<oe>{reader.ordinal_endings})(?!\w)")
    # Digits are one number only where no digits follow: "555 123 4567" is left to the engine
    # rather than read as millions.
    amount = rf"(?<![\w.,])(?<!\d[ \u00a0])(?>{AMOUNT})(?![ \u00a0]?\d)"
    return re.compile("|".join((
        # each starts only where a token does, so a long word costs one pass, not one per letter
        r"(?P<email>(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+)",
        r"(?P<url>(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]»])",
        r"\b(?P<iy>\d{4})-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12]\d|3[01])\b",
        r"\b(?P<d1>\d{1,2})(?P<sep>[./])(?P<d2>\d{1,2})(?P=sep)(?P<dy>\d{4}|\d{2})\b",
        rf"(?i:\b(?P<wm>{months})\s+)(?P<wd>\d{{1,2}})(?:st|nd|rd|th)?\b"
        rf"(?:,?\s+(?P<wy>\d{{4}})\b)?" if code == "en" else "(?!)",
        rf"\b(?P<vd>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?i:(?P<vm>{months}))"
        rf"(?:,?\s+(?P<vy>\d{{4}})(?:\s*(?:года|г\.|року|р\.))?)?(?!\w)",
        r"\b(?P<th>[01]?\d|2[0-3]):(?P<tm>[0-5]\d)(?::(?P<ts>[0-5]\d))?"
        + (r"(?:\s*(?P<mer>[AaPp]\.?[Mm]\.?)(?!\w))?" if code == "en" else ""),
        rf"(?P<cur>US\$|[$€£₽₴¥])\s?(?P<ma>{amount})(?:\s?(?P<ms>{scales})(?!\w))?",
        rf"(?<![\w.,])(?P<ya>\d{{1,4}}|(?=[IVXLCDM]){ROMAN})(?=\s+(?P<yw>{before})(?!\w))",
        ordinal,
        rf"\b(?P<cw>{_alternatives(reader.chapter_words)})\s+(?P<cr>[IVXLCDM]+)\b",
        r"\b(?P<rn>[A-ZА-ЯЁІЇЄҐ][\w'’]+)\s+(?P<rr>[IVXLCDM]+)\b",
        rf"(?P<a>{amount})(?:\s?(?P<as>{scales})(?!\w))?(?:\s?(?P<au>{after})(?!\w))?",
    )))


def _word_before(text: str, position: int) -> str:
    found = _LAST_WORD.search(text, max(0, position - 30), position)
    return found.group(1) if found else ""


def _read(match: re.Match[str], reader: Reader, before: str) -> str | None:
    found = {name: value for name, value in match.groupdict().items() if value is not None}

    def group(name: str) -> str:
        return found.get(name, "")

    if group("email") or group("url"):
        return reader.address(match.group())
    if group("iy") or group("d1") or group("wm") or group("vm"):
        return _date(found, reader, reader.case_after(before))
    if group("th"):
        seconds = group("ts")
        return reader.time(int(group("th")), int(group("tm")),
                           int(seconds) if seconds else None, group("mer"))
    if group("cur"):
        return reader.money(_amount(group("ma"), reader), reader.currencies[group("cur")],
                            reader.scales.get(group("ms")))
    if group("ya"):
        return _before_word(reader, group("ya"), group("yw"))
    if group("on"):
        return reader.ordinal(int(group("on")), group("oe"))
    if group("cw"):
        value = roman(group("cr"))
        return None if value is None else reader.chapter(group("cw"), value)
    if group("rn"):
        return _regnal(reader, group("rn"), group("rr"))
    return _quantity(found, reader)


def _amount(written: str, reader: Reader) -> Amount:
    return parse_amount(written, reader.comma_is_decimal)


def _date(found: dict[str, str], reader: Reader, case: str) -> str | None:
    group = found.get
    if "iy" in found:
        return reader.date(int(found["id"]), int(found["im"]), int(found["iy"]), case)
    if "d1" in found:
        return _numeric_date(reader, int(found["d1"]), int(found["d2"]), found["dy"], case)
    if "wm" in found:
        return _word_date(reader, found["wd"], found["wm"], group("wy", ""), case)
    return _word_date(reader, found["vd"], found["vm"], group("vy", ""), case)


def _numeric_date(reader: Reader, first: int, second: int, year: str, case: str) -> str | None:
    day, month = (first, second) if reader.day_first(first, second) else (second, first)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    full = int(year) if len(year) == 4 else 2000 + int(year)
    return reader.date(day, month, full, case)


def _word_date(reader: Reader, day: str, month: str, year: str, case: str) -> str | None:
    number = reader.months.get(month.lower())
    if number is None or not 1 <= int(day) <= 31:
        return None
    return reader.date(int(day), number, int(year) if year else None, case)


def _before_word(reader: Reader, number: str, word: str) -> str | None:
    value = int(number) if number.isdigit() else roman(number)
    if value is None or (word.endswith(".") and word[0] in "гр" and value < 100):
        return None  # "5 г." is five grams; a year has three digits or more
    return reader.number_before(Amount(value), word)


def _regnal(reader: Reader, name: str, numeral: str) -> str | None:
    value = roman(numeral)
    if value is None:
        return None
    if name.lower() in reader.regnal_names or (len(numeral) >= 2 and set(numeral) <= set("IVX")):
        return reader.regnal(name, value)
    return None


def _quantity(found: dict[str, str], reader: Reader) -> str | None:
    written, scale, after = found.get("a"), found.get("as", ""), found.get("au", "")
    if written is None:
        return None
    amount = _amount(written, reader)
    power = reader.scales.get(scale)
    if after in reader.currencies:
        return reader.money(amount, reader.currencies[after], power)
    if after:
        return reader.quantity(amount, reader.units[after], power)
    if power is not None:
        return reader.quantity(amount, "", power)
    if isinstance(reader, English) and amount.is_whole and re.fullmatch(r"1[1-9]\d\d", written):
        return reader.year(amount.whole)  # "1984": nineteen eighty-four
    return reader.cardinal(amount)
