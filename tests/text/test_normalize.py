"""Written forms read as said, in English, Russian and Ukrainian."""

import time

import pytest

from voicer.text.normalize import normalize
from voicer.text.rewrite import Edit, Rewritten


def said(text: str, language: str) -> str:
    return Rewritten.apply(text, normalize(text, language)).text


@pytest.mark.parametrize(("written", "spoken"), [
    ("12/03/2025", "December third, twenty twenty-five"),
    ("25/03/2025", "March twenty-fifth, twenty twenty-five"),  # no 25th month: day first
    ("2025-03-12", "March twelfth, twenty twenty-five"),
    ("March 12, 2025", "March twelfth, twenty twenty-five"),
    ("9:05 pm", "nine oh five p m"),
    ("10:00", "ten o'clock"),
    ("$5.2M", "five point two million dollars"),
    ("€3,50", "three euros and fifty cents"),
    ("$1", "one dollar"),
    ("1,200 people", "one thousand two hundred people"),
    ("15%", "fifteen percent"),
    ("3.5 kg", "three point five kilograms"),
    ("1 km", "one kilometer"),
    ("the 3rd time", "the third time"),
    ("Dr. Smith", "Doctor Smith"),
    ("Mr. Brown", "Mister Brown"),
    ("St. Paul on Main St.", "Saint Paul on Main Street"),
    ("apples, pears, etc.", "apples, pears, et cetera."),
    ("Chapter IV", "Chapter four"),
    ("Henry VIII", "Henry the eighth"),
    ("Then I went", "Then I went"),  # a pronoun, not a numeral
    ("in 1984", "in nineteen eighty-four"),
    ("see https://example.com/a-b", "see example dot com slash a dash b"),
    ("mail john.doe@example.org", "mail john dot doe at example dot org"),
    ("call 555 123 4567", "call 555 123 4567"),  # not one number: left to the engine
])
def test_english(written: str, spoken: str) -> None:
    assert said(written, "en") == spoken


@pytest.mark.parametrize(("written", "spoken"), [
    ("12.03.2025", "двенадцатое марта две тысячи двадцать пятого года"),
    ("12/03/2025", "двенадцатое марта две тысячи двадцать пятого года"),
    ("12 марта 2025 г.", "двенадцатое марта две тысячи двадцать пятого года."),
    ("в 2025 году", "в две тысячи двадцать пятом году"),
    ("до 12.03.2025", "до двенадцатого марта две тысячи двадцать пятого года"),
    ("к 1 мая", "к первому мая"),
    ("1 200 грн", "одна тысяча двести гривен"),
    ("Заплатите 1 200 грн. Спасибо.", "Заплатите одна тысяча двести гривен. Спасибо."),
    ("Итого 5 руб.", "Итого пять рублей."),
    ("5 млн ₽", "пять миллионов рублей"),
    ("21 гривна", "двадцать одна гривна"),
    ("2 рубля 50 коп.", "два рубля пятьдесят копеек"),
    ("€3,50", "три евро пятьдесят центов"),
    ("5,2 км", "пять целых две десятых километра"),
    ("15%", "пятнадцать процентов"),
    ("14:30", "четырнадцать тридцать"),
    ("10:00", "десять часов"),
    ("3-й раз", "третий раз"),
    ("с 1-го числа", "с первого числа"),
    ("д-р Иванов", "доктор Иванов"),
    ("и т. д.", "и так далее."),
    ("и т.д.", "и так далее."),
    ("т. е.", "то есть"),
    ("Пётр I", "Пётр первый"),
    ("XIX век", "девятнадцатый век"),
    ("в XIX веке", "в девятнадцатом веке"),
    ("Глава IV", "Глава четыре"),
    ("5 г сахара", "пять граммов сахара"),
])
def test_russian(written: str, spoken: str) -> None:
    assert said(written, "ru") == spoken


@pytest.mark.parametrize(("written", "spoken"), [
    ("12.03.2025", "дванадцяте березня дві тисячі двадцять п'ятого року"),
    ("1 200 грн", "одна тисяча двісті гривень"),
    ("5 млн ₽", "п'ять мільйонів рублів"),
    ("$5.2M", "п'ять кома два мільйона доларів"),
    ("21 гривня", "двадцять одна гривня"),
    ("у 2025 році", "у дві тисячі двадцять п'ятому році"),
    ("3-й раз", "третій раз"),
    ("3-є місце", "третє місце"),
    ("3-я година", "третя година"),
    ("д-р Шевченко", "доктор Шевченко"),
    ("млн грн", "мільйонів гривень"),
    ("і т. д.", "і так далі."),
    ("15%", "п'ятнадцять відсотків"),
    ("2 кг", "два кілограми"),
    ("Петро I", "Петро перший"),
    ("12 березня", "дванадцяте березня"),
    ("до 12.03.2025", "до дванадцятого березня дві тисячі двадцять п'ятого року"),
])
def test_ukrainian(written: str, spoken: str) -> None:
    assert said(written, "uk") == spoken


def test_other_languages_are_left_as_written() -> None:
    assert normalize("Am 12.03.2025 um 14:30", "de") == []
    assert normalize("12.03.2025", None) == []


def test_the_map_leads_back_to_the_original_characters() -> None:
    text = "Pay $5 now."
    rewritten = Rewritten.apply(text, normalize(text, "en"))
    assert rewritten.text == "Pay five dollars now."
    assert rewritten.origin(0) == 0  # "P"
    assert rewritten.origin(4) == 4  # "five" starts where "$5" does
    assert 4 <= rewritten.origin(rewritten.text.index("dollars")) < 6  # inside "$5"
    assert rewritten.origin(rewritten.text.index("now")) == text.index("now")
    assert rewritten.origin(len(rewritten.text)) == len(text)


def test_edits_that_overlap_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        Rewritten.apply("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])


def test_an_abbreviation_starting_a_sentence_keeps_its_capital() -> None:
    assert said("Д-р Иванов пришёл.", "ru") == "Доктор Иванов пришёл."
    assert said("Т. е. так.", "ru") == "То есть так."


@pytest.mark.parametrize("text", [
    "a" * 40_000, "a." * 20_000, "1" * 40_000, "1 " * 20_000, "1," * 20_000, "A " * 20_000,
    "9" * 5_000 + " km", "<" * 40_000,
])
@pytest.mark.parametrize("language", ["en", "ru", "uk"])
def test_hostile_text_is_read_in_one_pass_and_never_fails(text: str, language: str) -> None:
    started = time.perf_counter()
    Rewritten.apply(text, normalize(text, language))
    assert time.perf_counter() - started < 1.0


def test_a_number_too_long_to_say_is_left_to_the_engine() -> None:
    digits = "1" * 30
    assert said(f"{digits} km", "en") == f"{digits} km"
