import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicer.text import SplitType, split_text

WORDS = st.sampled_from([
    "Hello", "world.", "Dr.", "Smith", "went", "home!", "Why?", "a,", "b;", "—", "e.g.", "5",
    "Привіт!", "Це", "тест.", "напр.", "Ну,", "Вдох.", "Выдох.", "т.", "е.", "2024", "...",
    "supercalifragilisticexpialidocious", "x" * 70,
])
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "\n\n", "  ", "\t", "\n \n"])
TEXTS = st.lists(st.tuples(WORDS, SEPARATORS), min_size=1, max_size=120).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=150, deadline=None)
@given(text=TEXTS, split=st.sampled_from(list(SplitType)), limit=st.integers(20, 400))
def test_chunks_keep_every_character_within_the_limit(text: str, split: SplitType, limit: int) -> None:
    chunks = split_text(text, split, limit, "en")
    assert squash("".join(chunk.text for chunk in chunks)) == squash(text)
    assert all(chunk.text.strip() for chunk in chunks), "no empty chunk"
    assert all(len(chunk.text) <= limit for chunk in chunks)
    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert text[chunk.start:chunk.start + len(chunk.text)] == chunk.text


@settings(max_examples=150, deadline=None)
@given(text=TEXTS, split=st.sampled_from(list(SplitType)), limit=st.integers(20, 400))
def test_no_break_inside_a_word_unless_the_word_is_too_long(
    text: str, split: SplitType, limit: int
) -> None:
    for before, after in zip(chunks := split_text(text, split, limit, "en"), chunks[1:], strict=False):
        end = before.start + len(before.text)
        word_broken = not text[end - 1].isspace() and not text[after.start].isspace() and (
            end == after.start
        )
        if word_broken:
            word = re.search(r"\S*$", text[:end]).group() + re.match(r"\S*", text[end:]).group()
            assert len(word) > limit


def test_smart_packs_sentences_and_prefers_paragraph_breaks() -> None:
    first = "One sentence here. Another one follows it. " * 3
    second = "Second paragraph starts. It goes on and on for a while. And then it ends."
    text = first.strip() + "\n\n" + second
    chunks = split_text(text, SplitType.smart, 200)
    assert [chunk.text for chunk in chunks] == [first.strip(), text.split("\n\n")[1]]


def test_smart_fills_chunks_up_to_the_limit() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(100))
    chunks = split_text(text, SplitType.smart, 300)
    assert all(len(chunk.text) <= 300 for chunk in chunks)
    assert all(len(chunk.text) > 250 for chunk in chunks[:-1])
    assert all(chunk.text.endswith(".") for chunk in chunks)


def test_sentences_gives_one_chunk_per_sentence_in_each_language() -> None:
    assert [c.text for c in split_text("Вопрос 1? Вопрос 2? Вопрос 3?", SplitType.sentences,
                                       language="ru")] == ["Вопрос 1?", "Вопрос 2?", "Вопрос 3?"]
    assert [c.text for c in split_text("Вдох. Задержите дыхание. Выдох.", SplitType.sentences,
                                       language="ru")] == ["Вдох.", "Задержите дыхание.", "Выдох."]
    assert [c.text for c in split_text("Dr. Smith arrived at 5 p.m. today. He left.",
                                       SplitType.sentences)] == [
        "Dr. Smith arrived at 5 p.m. today.", "He left."]
    uk = "Він має кілька речень, напр. це. Так?"
    assert [c.text for c in split_text(uk, SplitType.sentences, language="uk")] == [
        "Він має кілька речень, напр. це.", "Так?"]


def test_paragraphs_follow_blank_lines() -> None:
    text = "Глава 1. Текст главы...\n\nГлава 2. Текст главы..."
    assert [c.text for c in split_text(text, SplitType.paragraphs, language="ru")] == [
        "Глава 1. Текст главы...", "Глава 2. Текст главы..."]


def test_paragraphs_are_lines_when_there_is_no_blank_line() -> None:
    assert [c.text for c in split_text("Line one.\nLine two.", SplitType.paragraphs)] == [
        "Line one.", "Line two."]


def test_a_long_sentence_breaks_at_clauses_then_words() -> None:
    sentence = "First clause of words, second clause of words; third clause of words and more."
    chunks = [c.text for c in split_text(sentence, SplitType.sentences, 30)]
    assert chunks[0] == "First clause of words,"
    assert chunks[1] == "second clause of words;"
    assert all(len(chunk) <= 30 for chunk in chunks)


def test_max_length_is_greedy_on_words() -> None:
    text = "aaa bbb ccc. ddd eee fff ggg"
    assert [c.text for c in split_text(text, SplitType.max_length, 12)] == [
        "aaa bbb ccc.", "ddd eee fff", "ggg"]


def test_a_word_longer_than_the_limit_is_cut_not_dropped() -> None:
    chunks = [c.text for c in split_text("x" * 25 + " end", SplitType.max_length, 10)]
    assert chunks == ["x" * 10, "x" * 10, "x" * 5, "end"]


@pytest.mark.parametrize("split", list(SplitType))
def test_a_million_characters_split_fast_enough_for_the_api(split: SplitType) -> None:
    text = ("Dr. Smith went to Washington. He arrived at 5 p.m.! Was it late?\n\n"
            "Привіт! Це тестовий текст, щоб перевірити всі налаштування. ") * 8_000
    chunks = split_text(text, split, 2_000)
    assert squash("".join(c.text for c in chunks)) == squash(text)
