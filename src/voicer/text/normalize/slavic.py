"""Russian and Ukrainian: numbers agree with the noun after them in gender and number
("1 200 грн" → "одна тысяча двести гривен"), dates take ordinals ("12.03.2025" →
"двенадцатое марта две тысячи двадцать пятого года")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from voicer.text.normalize.amounts import Amount
from voicer.text.normalize.reader import Reader, frozen, words


@dataclass(frozen=True, slots=True)
class Noun:
    """A noun's forms after numbers: 1 (21…), 2–4 (22…), 5–20 (and 0), after a fraction."""

    one: str
    few: str
    many: str
    fraction: str
    gender: str = "m"  # "m", "f" or "n": the numeral "one"/"two" agrees with it

    def after(self, amount: Amount) -> str:
        if amount.fraction:
            return self.fraction
        tens, last = amount.whole % 100, amount.whole % 10
        if 10 < tens < 20 or last == 0 or last > 4:
            return self.many
        return self.one if last == 1 else self.few


def _noun(one: str, few: str, many: str, gender: str = "m", fraction: str | None = None) -> Noun:
    return Noun(one, few, many, few if fraction is None else fraction, gender)


def _abbreviations(pairs: dict[str, str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Written forms with optional spaces after inner dots ("т. д." and "т.д."), in any case
    ("Д-р" at a sentence's start)."""
    compiled = []
    for written, spoken in pairs.items():
        pattern = r"\.\s*".join(re.escape(part) for part in written.split(". "))
        compiled.append((re.compile(rf"(?<!\w){pattern}(?!\w)", re.IGNORECASE), spoken))
    return tuple(compiled)


def _forms(code: str, forms: str) -> dict[str, str]:
    """A currency's own words, so that the number and the word after it agree."""
    return dict.fromkeys(forms.split(), code)


# "$5.2M" is written so in Russian and Ukrainian news too.
_LATIN_SCALES = {"K": 3, "M": 6, "B": 9, "bn": 9}


class Slavic(Reader):
    nouns: Mapping[str, Noun]  # units, currencies (and their cents, as CODE.cents) and scales
    hour: Noun
    year_word: str  # "года" / "року", said after a date's year
    ordinal_cases: Mapping[str, tuple[str, str]]  # written ending → (case, gender)
    # following word (lower-case) → the case and gender of an ordinal before it ("году")
    ordinal_before: Mapping[str, tuple[str, str]]
    month_names: tuple[str, ...]  # in the genitive, as dates say them
    preposition_cases: Mapping[str, str]  # a preposition → the case of a date after it

    @property
    def months(self) -> Mapping[str, int]:  # type: ignore[override]
        return {name: i for i, name in enumerate(self.month_names, 1)}

    def agreeing(self, amount: Amount, noun: Noun) -> str:
        """``amount`` and ``noun`` in agreement: "две гривны", "пять целых две десятых метра"."""
        return f"{self.number(amount, noun.gender)} {noun.after(amount)}"

    def number(self, amount: Amount, gender: str = "m") -> str:
        return self.cardinal(amount) if amount.fraction else self.gendered(amount.whole, gender)

    def gendered(self, number: int, gender: str) -> str:
        return words(number, self.code)

    def money(self, amount: Amount, currency: str, scale: int | None) -> str:
        noun = self.nouns[currency]
        if scale is not None:
            return f"{self.agreeing(amount, self.nouns[str(scale)])} {noun.many}"
        whole = self.agreeing(Amount(amount.whole), noun)
        hundredths = int((amount.fraction + "00")[:2]) if amount.fraction else 0
        if not hundredths:
            return whole
        change = self.agreeing(Amount(hundredths), self.nouns[currency + ".cents"])
        return change if amount.whole == 0 else f"{whole} {change}"

    def quantity(self, amount: Amount, unit: str, scale: int | None = None) -> str:
        if scale is not None:
            spoken = self.agreeing(amount, self.nouns[str(scale)])
            return f"{spoken} {self.nouns[unit].many}" if unit else spoken
        return self.agreeing(amount, self.nouns[unit])

    def number_before(self, amount: Amount, following: str) -> str | None:
        form = self.ordinal_before.get(following.lower())
        if form is None or not amount.is_whole:
            return None
        return self.ordinal_form(amount.whole, *form)

    def ordinal(self, number: int, ending: str = "") -> str:
        return self.ordinal_form(number, *self.ordinal_cases.get(ending.lower(), ("n", "m")))

    def ordinal_form(self, number: int, case: str, gender: str) -> str:
        raise NotImplementedError

    def case_after(self, word: str) -> str:
        return self.preposition_cases.get(word.lower(), "n")

    def date(self, day: int, month: int, year: int | None, case: str = "n") -> str:
        spoken = f"{self.ordinal_form(day, case, 'n')} {self.month_names[month - 1]}"
        if year is None:
            return spoken
        return f"{spoken} {self.ordinal_form(year, 'g', 'm')} {self.year_word}"

    def time(self, hours: int, minutes: int, seconds: int | None, meridiem: str) -> str:
        if minutes == 0 and not seconds:
            return self.agreeing(Amount(hours), self.hour)
        spoken = f"{self.gendered(hours, 'm')} "
        spoken += (f"{words(0, self.code)} " if minutes < 10 else "") + words(minutes, self.code)
        if seconds:
            spoken += " " + self.agreeing(Amount(seconds), self.nouns["s"])
        return spoken

    def regnal(self, name: str, number: int) -> str:
        return f"{name} {self.ordinal_form(number, 'n', 'm')}"


class Russian(Slavic):
    code = "ru"
    comma_is_decimal = True
    month_names = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                   "сентября", "октября", "ноября", "декабря")
    currencies = frozen({"$": "USD", "€": "EUR", "£": "GBP", "₽": "RUB", "₴": "UAH", "¥": "JPY",
                  "руб.": "RUB", "руб": "RUB", "р.": "RUB", "грн": "UAH", "грн.": "UAH",
                  "долл.": "USD", "USD": "USD", "EUR": "EUR", "RUB": "RUB", "UAH": "UAH",
                  **_forms("RUB", "рубль рубля рублей"), **_forms("USD", "доллар доллара долларов"),
                  **_forms("UAH", "гривна гривны гривен гривну"), "евро": "EUR"})
    scales = frozen({**_LATIN_SCALES, "тыс.": 3, "тыс": 3, "млн": 6, "млн.": 6, "млрд": 9,
                     "млрд.": 9, "трлн": 12, "трлн.": 12})
    units = frozen({"%": "percent", "км": "km", "м": "m", "см": "cm", "мм": "mm", "кг": "kg",
             "г": "g", "мг": "mg", "л": "l", "мл": "ml", "км/ч": "km/h", "°C": "°C", "°С": "°C",
             "℃": "°C", "ч": "h", "мин": "min", "сек": "s", "мс": "ms", "Кб": "KB", "КБ": "KB",
             "Мб": "MB", "МБ": "MB", "Гб": "GB", "ГБ": "GB", "Тб": "TB", "ТБ": "TB",
             "кВт": "kW", "Вт": "W"})
    nouns = frozen({
        "percent": _noun("процент", "процента", "процентов"),
        "km": _noun("километр", "километра", "километров"), "m": _noun("метр", "метра", "метров"),
        "cm": _noun("сантиметр", "сантиметра", "сантиметров"),
        "mm": _noun("миллиметр", "миллиметра", "миллиметров"),
        "kg": _noun("килограмм", "килограмма", "килограммов"),
        "g": _noun("грамм", "грамма", "граммов"), "mg": _noun("миллиграмм", "миллиграмма",
                                                             "миллиграммов"),
        "l": _noun("литр", "литра", "литров"), "ml": _noun("миллилитр", "миллилитра",
                                                        "миллилитров"),
        "km/h": _noun("километр в час", "километра в час", "километров в час"),
        "°C": _noun("градус Цельсия", "градуса Цельсия", "градусов Цельсия"),
        "h": _noun("час", "часа", "часов"), "min": _noun("минута", "минуты", "минут", "f"),
        "s": _noun("секунда", "секунды", "секунд", "f"),
        "ms": _noun("миллисекунда", "миллисекунды", "миллисекунд", "f"),
        "KB": _noun("килобайт", "килобайта", "килобайт"),
        "MB": _noun("мегабайт", "мегабайта", "мегабайт"),
        "GB": _noun("гигабайт", "гигабайта", "гигабайт"),
        "TB": _noun("терабайт", "терабайта", "терабайт"),
        "kW": _noun("киловатт", "киловатта", "киловатт"), "W": _noun("ватт", "ватта", "ватт"),
        "USD": _noun("доллар", "доллара", "долларов"), "USD.cents": _noun("цент", "цента", "центов"),
        "EUR": _noun("евро", "евро", "евро", "n"), "EUR.cents": _noun("цент", "цента", "центов"),
        "GBP": _noun("фунт", "фунта", "фунтов"), "GBP.cents": _noun("пенс", "пенса", "пенсов"),
        "RUB": _noun("рубль", "рубля", "рублей"),
        "RUB.cents": _noun("копейка", "копейки", "копеек", "f"),
        "UAH": _noun("гривна", "гривны", "гривен", "f"),
        "UAH.cents": _noun("копейка", "копейки", "копеек", "f"),
        "JPY": _noun("иена", "иены", "иен", "f"), "JPY.cents": _noun("сен", "сена", "сен"),
        "3": _noun("тысяча", "тысячи", "тысяч", "f"),
        "6": _noun("миллион", "миллиона", "миллионов"),
        "9": _noun("миллиард", "миллиарда", "миллиардов"),
        "12": _noun("триллион", "триллиона", "триллионов"),
    })
    hour = _noun("час", "часа", "часов")
    year_word = "года"
    preposition_cases = frozen({**dict.fromkeys(("до", "с", "со", "от", "после", "около",
                                                 "для", "из", "без", "кроме", "вместо"), "g"),
                                **dict.fromkeys(("к", "ко"), "d")})
    ordinal_cases = frozen({"й": ("n", "m"), "ый": ("n", "m"), "ий": ("n", "m"), "я": ("n", "f"),
                     "ая": ("n", "f"), "е": ("n", "n"), "ое": ("n", "n"), "го": ("g", "m"),
                     "ого": ("g", "m"), "му": ("d", "m"), "ому": ("d", "m"), "м": ("p", "m"),
                     "ом": ("p", "m"), "ю": ("a", "f"), "ую": ("a", "f"), "ой": ("g", "f"),
                     "х": ("g", "p"), "ых": ("g", "p"), "ые": ("n", "p"), "ми": ("i", "p")})
    ordinal_before = frozen({"год": ("n", "m"), "года": ("g", "m"), "году": ("p", "m"),
                      "годом": ("i", "m"), "г.": ("g", "m"), "век": ("n", "m"),
                      "века": ("g", "m"), "веке": ("p", "m"), "веком": ("i", "m"),
                      "в.": ("n", "m"), "гг.": ("g", "p")})
    chapter_words = frozenset({"Глава", "глава", "Часть", "часть", "Том", "том", "Книга",
                               "Раздел", "раздел", "Статья", "статья", "Урок", "урок", "Акт"})
    regnal_names = frozenset({"пётр", "петр", "екатерина", "николай", "александр", "иван",
                              "павел", "людовик", "генрих", "карл", "елизавета", "фёдор",
                              "федор", "василий", "лжедмитрий", "георг", "эдуард", "вильгельм",
                              "фридрих", "анна", "мария", "филипп", "яков", "ричард"})
    abbreviations = _abbreviations({
        "д-р": "доктор", "т. д.": "так далее.", "т. п.": "тому подобное.", "т. е.": "то есть",
        "т. к.": "так как", "в т. ч.": "в том числе", "и др.": "и другие.", "проф.": "профессор",
        "ул.": "улица", "им.": "имени", "стр.": "страница", "г-н": "господин",
        "г-жа": "госпожа", "напр.": "например", "н. э.": "нашей эры", "млн": "миллионов",
        "млрд": "миллиардов", "тыс.": "тысяч", "руб.": "рублей", "коп.": "копеек",
        "грн": "гривен", "св.": "святой", "пр-т": "проспект", "акад.": "академик",
    })
    ordinal_endings = "|".join(sorted(ordinal_cases, key=len, reverse=True))
    symbols = frozen({".": "точка", "/": "слэш", "-": "дефис", "_": "нижнее подчёркивание",
               "@": "собака", ":": "двоеточие", "?": "вопросительный знак", "=": "равно",
               "&": "и", "#": "решётка", "+": "плюс", "%": "процент"})

    def gendered(self, number: int, gender: str) -> str:
        return words(number, "ru", gender=gender)

    def ordinal_form(self, number: int, case: str, gender: str) -> str:
        if gender == "p":
            return words(number, "ru", to="ordinal", case=case, plural=True)
        return words(number, "ru", to="ordinal", case=case, gender=gender)


# The endings of a Ukrainian ordinal's last word, by case and gender, for stems in -ий / -ій.
_UK_HARD = {("n", "m"): "ий", ("n", "f"): "а", ("n", "n"): "е", ("g", "m"): "ого",
            ("g", "f"): "ої", ("d", "m"): "ому", ("p", "m"): "ому", ("a", "f"): "у",
            ("n", "p"): "і", ("g", "p"): "их", ("i", "m"): "им"}
_UK_SOFT = {("n", "m"): "ій", ("n", "f"): "я", ("n", "n"): "є", ("g", "m"): "ього",
            ("g", "f"): "ьої", ("d", "m"): "ьому", ("p", "m"): "ьому", ("a", "f"): "ю",
            ("n", "p"): "і", ("g", "p"): "іх", ("i", "m"): "ім"}


class Ukrainian(Slavic):
    code = "uk"
    comma_is_decimal = True
    month_names = ("січня", "лютого", "березня", "квітня", "травня", "червня", "липня",
                   "серпня", "вересня", "жовтня", "листопада", "грудня")
    currencies = frozen({"$": "USD", "€": "EUR", "£": "GBP", "₽": "RUB", "₴": "UAH", "¥": "JPY",
                  "грн": "UAH", "грн.": "UAH", "руб.": "RUB", "дол.": "USD", "USD": "USD",
                  "EUR": "EUR", "UAH": "UAH", "RUB": "RUB",
                  **_forms("UAH", "гривня гривні гривень гривню"),
                  **_forms("USD", "долар долари доларів"), **_forms("RUB", "рубль рублі рублів"),
                  "євро": "EUR"})
    scales = frozen({**_LATIN_SCALES, "тис.": 3, "тис": 3, "млн": 6, "млн.": 6, "млрд": 9,
                     "млрд.": 9, "трлн": 12, "трлн.": 12})
    units = frozen({"%": "percent", "км": "km", "м": "m", "см": "cm", "мм": "mm", "кг": "kg",
             "г": "g", "мг": "mg", "л": "l", "мл": "ml", "км/год": "km/h", "°C": "°C",
             "°С": "°C", "℃": "°C", "хв": "min", "сек": "s", "мс": "ms", "КБ": "KB",
             "МБ": "MB", "ГБ": "GB", "ТБ": "TB", "кВт": "kW", "Вт": "W"})
    nouns = frozen({
        "percent": _noun("відсоток", "відсотки", "відсотків", fraction="відсотка"),
        "km": _noun("кілометр", "кілометри", "кілометрів", fraction="кілометра"),
        "m": _noun("метр", "метри", "метрів", fraction="метра"),
        "cm": _noun("сантиметр", "сантиметри", "сантиметрів", fraction="сантиметра"),
        "mm": _noun("міліметр", "міліметри", "міліметрів", fraction="міліметра"),
        "kg": _noun("кілограм", "кілограми", "кілограмів", fraction="кілограма"),
        "g": _noun("грам", "грами", "грамів", fraction="грама"),
        "mg": _noun("міліграм", "міліграми", "міліграмів", fraction="міліграма"),
        "l": _noun("літр", "літри", "літрів", fraction="літра"),
        "ml": _noun("мілілітр", "мілілітри", "мілілітрів", fraction="мілілітра"),
        "km/h": _noun("кілометр на годину", "кілометри на годину", "кілометрів на годину",
                      fraction="кілометра на годину"),
        "°C": _noun("градус Цельсія", "градуси Цельсія", "градусів Цельсія",
                    fraction="градуса Цельсія"),
        "h": _noun("година", "години", "годин", "f"),
        "min": _noun("хвилина", "хвилини", "хвилин", "f"),
        "s": _noun("секунда", "секунди", "секунд", "f"),
        "ms": _noun("мілісекунда", "мілісекунди", "мілісекунд", "f"),
        "KB": _noun("кілобайт", "кілобайти", "кілобайтів", fraction="кілобайта"),
        "MB": _noun("мегабайт", "мегабайти", "мегабайтів", fraction="мегабайта"),
        "GB": _noun("гігабайт", "гігабайти", "гігабайтів", fraction="гігабайта"),
        "TB": _noun("терабайт", "терабайти", "терабайтів", fraction="терабайта"),
        "kW": _noun("кіловат", "кіловати", "кіловатів", fraction="кіловата"),
        "W": _noun("ват", "вати", "ватів", fraction="вата"),
        "USD": _noun("долар", "долари", "доларів", fraction="долара"),
        "USD.cents": _noun("цент", "центи", "центів", fraction="цента"),
        "EUR": _noun("євро", "євро", "євро", "n"),
        "EUR.cents": _noun("цент", "центи", "центів", fraction="цента"),
        "GBP": _noun("фунт", "фунти", "фунтів", fraction="фунта"),
        "GBP.cents": _noun("пенс", "пенси", "пенсів", fraction="пенса"),
        "RUB": _noun("рубль", "рублі", "рублів", fraction="рубля"),
        "RUB.cents": _noun("копійка", "копійки", "копійок", "f"),
        "UAH": _noun("гривня", "гривні", "гривень", "f"),
        "UAH.cents": _noun("копійка", "копійки", "копійок", "f"),
        "JPY": _noun("єна", "єни", "єн", "f"), "JPY.cents": _noun("сен", "сени", "сенів"),
        "3": _noun("тисяча", "тисячі", "тисяч", "f"),
        "6": _noun("мільйон", "мільйони", "мільйонів", fraction="мільйона"),
        "9": _noun("мільярд", "мільярди", "мільярдів", fraction="мільярда"),
        "12": _noun("трильйон", "трильйони", "трильйонів", fraction="трильйона"),
    })
    hour = _noun("година", "години", "годин", "f")
    year_word = "року"
    preposition_cases = frozen({**dict.fromkeys(("до", "з", "із", "від", "після", "біля",
                                                 "для", "без", "крім", "замість"), "g"),
                                **dict.fromkeys(("к",), "d")})
    ordinal_cases = frozen({"й": ("n", "m"), "ий": ("n", "m"), "а": ("n", "f"), "е": ("n", "n"),
                     "го": ("g", "m"), "ого": ("g", "m"), "му": ("d", "m"), "ому": ("d", "m"),
                     "ї": ("g", "f"), "ої": ("g", "f"), "у": ("a", "f"), "і": ("n", "p"),
                     "х": ("g", "p"), "их": ("g", "p"),
                     # the soft ordinals' own endings: "3-є місце", "3-я година", "3-ю"
                     "ій": ("n", "m"), "я": ("n", "f"), "є": ("n", "n"), "ю": ("a", "f"),
                     "ього": ("g", "m"), "ьому": ("d", "m"), "ьої": ("g", "f")})
    ordinal_before = frozen({"рік": ("n", "m"), "року": ("g", "m"), "році": ("p", "m"),
                      "роком": ("i", "m"), "р.": ("g", "m"), "століття": ("n", "n"),
                      "ст.": ("n", "n")})
    chapter_words = frozenset({"Розділ", "розділ", "Глава", "глава", "Частина", "частина",
                               "Том", "том", "Книга", "Стаття", "стаття", "Урок", "урок"})
    regnal_names = frozenset({"петро", "катерина", "микола", "олександр", "іван", "павло",
                              "людовік", "генріх", "карл", "єлизавета", "данило", "георг",
                              "едуард", "вільгельм", "фрідріх", "анна", "марія", "філіп"})
    abbreviations = _abbreviations({
        "д-р": "доктор", "т. д.": "так далі.", "т. п.": "таке інше.", "т. ч.": "тому числі",
        "проф.": "професор", "вул.": "вулиця", "ім.": "імені",
        "стор.": "сторінка", "напр.": "наприклад", "див.": "дивіться", "н. е.": "нашої ери",
        "млн": "мільйонів", "млрд": "мільярдів", "тис.": "тисяч", "грн": "гривень",
        "коп.": "копійок", "акад.": "академік", "пр-т": "проспект", "св.": "святий",
    })
    ordinal_endings = "|".join(sorted(ordinal_cases, key=len, reverse=True))
    symbols = frozen({".": "крапка", "/": "слеш", "-": "дефіс", "_": "нижнє підкреслення",
               "@": "равлик", ":": "двокрапка", "?": "знак питання", "=": "дорівнює",
               "&": "і", "#": "решітка", "+": "плюс", "%": "відсоток"})

    def gendered(self, number: int, gender: str) -> str:
        if gender == "f":
            return words(number, "uk", gender="feminine")
        spoken = words(number, "uk")
        # num2words has no neuter: "одне", as "двадцять одне євро"
        return re.sub(r"\bодин$", "одне", spoken) if gender == "n" else spoken

    def ordinal_form(self, number: int, case: str, gender: str) -> str:
        spoken = words(number, "uk", to="ordinal")
        head, _, last = spoken.rpartition(" ")
        table, stem = (_UK_SOFT, last[:-2]) if last.endswith("ій") else (_UK_HARD, last[:-2])
        ending = table.get((case, gender), table.get((case, "m"), table[("n", "m")]))
        return f"{head} {stem}{ending}".strip()
