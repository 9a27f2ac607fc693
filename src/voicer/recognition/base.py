"""The recognition engine protocol and the values that cross it.

A recognizer turns 16 kHz mono audio (a :class:`~voicer.recognition.clip.Clip`) into segments of
words, each with its start, end and probability, and says which language it heard. Which
recognizer a request uses is the registry's business (``voicer.recognition.registry``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from voicer.recognition.clip import Clip

Progress = Callable[[float], None]  # seconds of audio recognised so far


@dataclass(frozen=True, slots=True)
class Word:
    """A recognised word: its text (no surrounding spaces), times in seconds, probability."""

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of speech between pauses, and who spoke it (once diarized)."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...]
    speaker: str | None = None

    def spoken_by(self, speaker: str) -> Segment:
        return replace(self, speaker=speaker)


@dataclass(frozen=True, slots=True)
class Transcript:
    segments: tuple[Segment, ...]
    language: str  # ISO 639-1, as the model names it
    language_probability: float
    duration: float  # seconds of audio recognised

    @property
    def text(self) -> str:
        return " ".join(segment.text for segment in self.segments if segment.text)

    @property
    def words(self) -> list[Word]:
        return [word for segment in self.segments for word in segment.words]


class Recognizer(Protocol):
    """A speech recognizer; one per process, loaded once, used from any thread."""

    name: str

    def recognize(self, clip: Clip, language: str | None = None,
                  progress: Progress | None = None) -> Transcript:
        """The words of ``clip``; in ``language`` when given, else the language detected."""
        ...


# Makes a recognizer (it may load its model lazily); must pickle, like an EngineFactory.
RecognizerFactory = Callable[[], Recognizer]
