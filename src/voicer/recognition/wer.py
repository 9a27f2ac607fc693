"""Word error rate: how far a transcript is from the text that was spoken."""

from __future__ import annotations

import re

_WORD = re.compile(r"[\w']+")


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, punctuation dropped."""
    return [word.strip("'") for word in _WORD.findall(text.lower()) if word.strip("'")]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / words of ``reference`` (Levenshtein on words);
    0.0 for two empty texts, 1.0 for anything against an empty reference."""
    ref, hyp = words(reference), words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        diagonal, row[0] = row[0], i
        for j, heard in enumerate(hyp, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1,
                                           diagonal + (word != heard))
    return row[-1] / len(ref)
