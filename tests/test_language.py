import pytest

from voicer.language import LanguageDetector


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
