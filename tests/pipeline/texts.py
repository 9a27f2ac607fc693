"""Deterministic texts in the scripts whose speed estimates must hold: English, Russian,
emoji-heavy and combining-mark-heavy."""

from __future__ import annotations

import itertools
import random

_ENGLISH = [
    "The old lighthouse keeper noticed the quiet harbour at dawn.",
    "A small group of students carried a map of the northern hills.",
    "Our neighbour remembered every page of the report, although it was raining.",
    "The committee questioned the price of bread for the first time in years.",
    "An unexpected letter arrived while the city slept.",
    "Her younger brother repaired the broken clock in the hall with great care.",
]
_RUSSIAN = [
    "Старый смотритель маяка заметил тихую гавань на рассвете.",
    "Небольшая группа студентов принесла карту северных холмов.",
    "Наш сосед вспомнил каждую страницу доклада, хотя шёл дождь.",
    "Комиссия впервые за много лет расспросила о цене хлеба.",
    "Неожиданное письмо пришло, пока город спал.",
    "Её младший брат с большой осторожностью починил сломанные часы в зале.",
]
_EMOJI = "😀😂🥰😎🤔😴🎉🍕🚀🌍🐱🐶🌸⚽🎸📚💡🔥👍🙏✨🌈🍎☕"
_WORDS = ["morning", "coffee", "walk", "dog", "party", "friends", "rain", "books", "music"]


def _sentences(pool: list[str], characters: int) -> str:
    """Sentences of ``pool`` in turn, four to a paragraph, until there are ``characters``."""
    text = ""
    for number, sentence in enumerate(itertools.cycle(pool)):
        if len(text) >= characters:
            break
        text += sentence + ("\n\n" if number % 4 == 3 else " ")
    return text.strip()


def english(characters: int) -> str:
    return _sentences(_ENGLISH, characters)


def russian(characters: int) -> str:
    return _sentences(_RUSSIAN, characters)


def emoji_heavy(characters: int) -> str:
    """A word now and then among runs of emoji, as in a chat message."""
    rng = random.Random(1)
    pieces: list[str] = []
    while sum(map(len, pieces)) < characters:
        pieces.append(rng.choice(_WORDS) + " " + "".join(rng.choices(_EMOJI, k=rng.randint(2, 5))))
    return " ".join(pieces)


def combining_marks(characters: int) -> str:
    """English with one to three combining diacritics stacked on every letter."""
    rng = random.Random(2)
    marked: list[str] = []
    for character in english(characters):
        marked.append(character)
        if character.isalpha():
            marked += [chr(rng.randint(0x300, 0x36F)) for _ in range(rng.randint(1, 3))]
        if len(marked) >= characters:
            break
    return "".join(marked)
