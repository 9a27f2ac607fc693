"""Deterministic long texts for benchmarks: varied English prose in paragraphs."""

from __future__ import annotations

import random

_SUBJECTS = ["The old lighthouse keeper", "A small group of students", "The river", "Our neighbour",
             "The committee", "An unexpected letter", "The morning train", "Her younger brother"]
_VERBS = ["noticed", "carried", "remembered", "described", "followed", "repaired", "questioned",
          "celebrated"]
_OBJECTS = ["the quiet harbour at dawn", "a map of the northern hills", "every page of the report",
            "the broken clock in the hall", "a story nobody believed", "the price of bread in 1923",
            "the long road to the coast", "three letters from abroad"]
_TAILS = ["before anyone else arrived", "with great care", "although it was raining",
          "for the first time in years", "and then went home", "while the city slept"]


def prose(characters: int, seed: int = 7) -> str:
    """About ``characters`` characters of English prose, paragraphs of 3-8 sentences."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    size = 0
    while size < characters:
        sentences = []
        for _ in range(rng.randint(3, 8)):
            sentence = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
            if rng.random() < 0.6:
                sentence += f", {rng.choice(_TAILS)}"
            sentences.append(sentence + rng.choice([".", ".", ".", "!", "?"]))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:characters].rstrip()
