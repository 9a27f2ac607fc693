import pytest

from voicer.language import LanguageDetector, script_of, spells, writes


@pytest.mark.parametrize(("text", "language"), [
    ("Привіт! Це тестовий текст, щоб перевірити всі налаштування.", "uk"),
    ("Привет! Это простой пример.", "ru"),
    ("Вдох. Задержите дыхание. Выдох.", "ru"),
    ("Текст с паузами между предложениями.", "ru"),
    ("The quick brown fox jumps over the lazy dog.", "en"),
    ("Guten Tag, wie geht es Ihnen heute?", "de"),
])
def test_detects_the_language_of_the_seed_texts(detector: LanguageDetector, text: str,
                                                language: str) -> None:
    assert detector.detect(text) == language


def test_keeps_to_the_languages_it_is_given(detector: LanguageDetector) -> None:
    assert detector.detect("Привет! Это простой пример.", among={"en", "uk"}) in {"uk", None}


def test_has_no_opinion_on_empty_text(detector: LanguageDetector) -> None:
    assert detector.detect("  \n ") is None


@pytest.mark.parametrize(("text", "script"), [
    ("Вдох.", "CYRILLIC"), ("Hello, мир and world", "LATIN"), ("Καλημέρα", "GREEK"),
    ("12:30 — 5 %", None),
])
def test_names_the_script_most_letters_are_in(text: str, script: str | None) -> None:
    assert script_of(text) == script


def test_an_unsure_text_takes_the_fallback_written_in_its_script(
        detector: LanguageDetector) -> None:
    among = {"en", "ru", "uk", "de"}
    assert detector.detect("Вдох.", among) is None  # fastText: ru at 0.35
    assert detector.decide("Вдох.", among, "uk") == "uk"
    assert detector.decide("Hello.", among, "de") == "de"


def test_an_unsure_text_never_takes_a_fallback_of_another_script(
        detector: LanguageDetector) -> None:
    assert detector.decide("Вдох.", {"en", "ru", "uk"}, "en") == "ru"
    assert not writes("en", "CYRILLIC")
    assert writes("sr", "LATIN") and writes("sr", "CYRILLIC")


def test_an_unsure_text_takes_a_language_whose_alphabet_has_its_letters(
        detector: LanguageDetector) -> None:
    among = {"en", "ru", "uk", "bg"}
    assert detector.decide("Выдох, ы.", among, "uk") == "ru"  # no "ы" in Ukrainian
    assert detector.decide("Її.", among, "ru") == "uk"
    assert spells("ru", "Вдох") and not spells("ru", "Її")
