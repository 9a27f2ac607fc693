"""The engine protocol and the values that cross it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from voicer.audio import Audio, AudioFormat, Samples
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice


@dataclass(frozen=True, slots=True)
class WordEvent:
    """A word starts: where in the text (characters) and where in the audio (samples)."""

    text_offset: int
    length: int
    sample: int


@dataclass(frozen=True, slots=True)
class Speech:
    """One piece of synthesized audio and the words that start inside it."""

    audio: Audio
    words: tuple[WordEvent, ...] = ()

    @property
    def samples(self) -> Samples:
        return self.audio.samples


class Engine(Protocol):
    """Something that speaks. One instance per process, used from one thread."""

    format: AudioFormat  # of every piece it speaks

    def synthesize(
        self, text: str, voice: Voice, settings: VoiceSettings, language: str | None = None
    ) -> Iterator[Speech]:
        """Speak ``text`` with ``voice``, in ``language`` when given, as pieces in order."""
        ...
