"""English: "12/03/2025" → "December third, twenty twenty-five", "$5.2M" → "five point two
million dollars"."""

from __future__ import annotations

import re

from voicer.text.normalize.amounts import Amount
from voicer.text.normalize.reader import SCALES, Reader, frozen, words

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# ISO code: (one, many, cents' one, cents' many)
_CURRENCIES = {
    "USD": ("dollar", "dollars", "cent", "cents"), "EUR": ("euro", "euros", "cent", "cents"),
    "GBP": ("pound", "pounds", "penny", "pence"), "RUB": ("ruble", "rubles", "kopek", "kopeks"),
    "UAH": ("hryvnia", "hryvnias", "kopiyka", "kopiykas"), "JPY": ("yen", "yen", "sen", "sen"),
}
_UNITS = {
    "percent": ("percent", "percent"), "km": ("kilometer", "kilometers"),
    "m": ("meter", "meters"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"), "mg": ("milligram", "milligrams"), "l": ("liter", "liters"),
    "ml": ("milliliter", "milliliters"), "km/h": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"), "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"), "h": ("hour", "hours"),
    "min": ("minute", "minutes"), "s": ("second", "seconds"),
    "ms": ("millisecond", "milliseconds"), "KB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"), "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"), "kW": ("kilowatt", "kilowatts"), "W": ("watt", "watts"),
    "mi": ("mile", "miles"), "ft": ("foot", "feet"), "in": ("inch", "inches"),
    "lb": ("pound", "pounds"), "oz": ("ounce", "ounces"),
}


def _abbreviation(written: str, spoken: str, before: str = "") -> tuple[re.Pattern[str], str]:
    return re.compile(rf"\b{re.escape(written)}(?={before})"), spoken


class English(Reader):
    code = "en"
    comma_is_decimal = False
    months = frozen({**{m.lower(): i for i, m in enumerate(MONTHS, 1)},
              **{m[:3].lower() + ".": i for i, m in enumerate(MONTHS, 1)}})
    currencies = frozen({"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "₽": "RUB", "₴": "UAH",
                  "¥": "JPY", "USD": "USD", "EUR": "EUR", "GBP": "GBP", "RUB": "RUB",
                  "UAH": "UAH", "JPY": "JPY"})
    scales = frozen({"K": 3, "k": 3, "thousand": 3, "M": 6, "m": 6, "mn": 6, "million": 6,
              "B": 9, "bn": 9, "billion": 9, "T": 12, "tn": 12, "trillion": 12})
    units = frozen({**{key: key for key in _UNITS if key != "percent"}, "%": "percent",
             "L": "l", "kph": "km/h", "km/hr": "km/h", "hrs": "h", "hr": "h", "sec": "s",
             "℃": "°C", "℉": "°F"})
    chapter_words = frozenset({"Chapter", "Part", "Book", "Volume", "Act", "Scene",
                               "Section", "Article", "Lesson", "Episode", "Vol."})
    regnal_names = frozenset({"henry", "louis", "charles", "george", "edward", "william",
                              "elizabeth", "james", "richard", "john", "peter", "paul",
                              "catherine", "nicholas", "alexander", "ivan", "pius", "leo",
                              "benedict", "gregory", "philip", "frederick", "mary", "anne"})
    abbreviations = (
        _abbreviation("Dr.", "Doctor", r"\s*[A-Z]"),
        _abbreviation("Mr.", "Mister"), _abbreviation("Mrs.", "Missus"),
        _abbreviation("Ms.", "Miz"), _abbreviation("Prof.", "Professor"),
        _abbreviation("St.", "Saint", r"\s+[A-Z]"), _abbreviation("St.", "Street"),
        _abbreviation("Mt.", "Mount"), _abbreviation("Ave.", "Avenue"),
        _abbreviation("Jr.", "Junior"), _abbreviation("Sr.", "Senior"),
        _abbreviation("vs.", "versus"), _abbreviation("etc.", "et cetera."),
        _abbreviation("e.g.", "for example"), _abbreviation("i.e.", "that is"),
        _abbreviation("No.", "number", r"\s*\d"), _abbreviation("approx.", "approximately"),
        _abbreviation("Inc.", "Incorporated"), _abbreviation("Ltd.", "Limited"),
    )
    ordinal_endings = "st|nd|rd|th"
    symbols = frozen({".": "dot", "/": "slash", "-": "dash", "_": "underscore", "@": "at",
               ":": "colon", "?": "question mark", "=": "equals", "&": "and", "#": "hash",
               "+": "plus", "~": "tilde", "%": "percent"})

    def ordinal(self, number: int, ending: str = "") -> str:
        return words(number, "en", to="ordinal")

    def number_before(self, amount: Amount, following: str) -> str | None:
        return None

    def year(self, year: int) -> str:
        return words(year, "en", to="year")

    def day_first(self, first: int, second: int) -> bool:
        return first > 12  # month first, as in the US, unless it cannot be a month

    def date(self, day: int, month: int, year: int | None, case: str = "n") -> str:
        spoken = f"{MONTHS[month - 1]} {self.ordinal(day)}"
        return spoken if year is None else f"{spoken}, {self.year(year)}"

    def time(self, hours: int, minutes: int, seconds: int | None, meridiem: str) -> str:
        spoken = words(hours, "en")
        if minutes == 0 and not seconds:
            spoken += " o'clock" if not meridiem else ""
        elif minutes < 10:
            spoken += " oh " + words(minutes, "en")
        else:
            spoken += " " + words(minutes, "en")
        if seconds:
            spoken += f" and {words(seconds, 'en')} second{'s' if seconds != 1 else ''}"
        if meridiem:
            spoken += " " + " ".join(meridiem.lower().replace(".", ""))
        return spoken

    def money(self, amount: Amount, currency: str, scale: int | None) -> str:
        one, many, cent, cents = _CURRENCIES[currency]
        if scale is not None:
            return f"{self.cardinal(amount)} {SCALES[scale]} {many}"
        whole = f"{words(amount.whole, 'en')} {one if amount.whole == 1 else many}"
        hundredths = int((amount.fraction + "00")[:2]) if amount.fraction else 0
        if not hundredths:
            return whole
        change = f"{words(hundredths, 'en')} {cent if hundredths == 1 else cents}"
        return change if amount.whole == 0 else f"{whole} and {change}"

    def quantity(self, amount: Amount, unit: str, scale: int | None = None) -> str:
        spoken = self.cardinal(amount)
        if scale is not None:
            spoken += " " + SCALES[scale]
        if not unit:
            return spoken
        one, many = _UNITS[unit]
        return f"{spoken} {one if amount == Amount(1) and scale is None else many}"

    def regnal(self, name: str, number: int) -> str:
        return f"{name} the {self.ordinal(number)}"
