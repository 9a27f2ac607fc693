"""What an engine is given to say for a chunk: the caller's text, normalized, with the map
back to the caller's characters."""

from __future__ import annotations

from voicer.text.normalize import Normalization, normalize
from voicer.text.rewrite import Rewritten


def prepare(text: str, language: str, normalization: Normalization) -> Rewritten:
    """``text`` as the local engine is to say it in ``language``: normalized unless ``off``
    (``auto`` means on for the local engines)."""
    if normalization is Normalization.off:
        return Rewritten.unchanged(text)
    return Rewritten.apply(text, normalize(text, language))
