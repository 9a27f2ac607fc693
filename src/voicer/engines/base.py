"""The speech engine protocol and the values that cross it.

An engine turns (text, voice, settings) into audio pieces with the words that start in each.
It runs inside a worker process (see ``voicer.pipeline.pool``), made there by its
``EngineFactory``; which engine speaks which voice is the registry's business
(``voicer.engines.registry``), never the engine's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

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
    """A speech engine. One instance per process, used from one thread; a voice's own
    parameters are in ``voice.params``, which only its engine reads."""

    format: AudioFormat  # of the pieces it speaks (each piece's audio carries its own)

    def synthesize(
        self, text: str, voice: Voice, settings: VoiceSettings, language: str | None = None
    ) -> Iterator[Speech]:
        """Speak ``text`` with ``voice``, in ``language`` when given, as pieces in order."""
        ...


@runtime_checkable
class Loading(Protocol):
    """An engine whose model loads on first use. The worker calls ``prepare`` before it forks
    to speak a chunk, so the model loads once per worker (not in every fork) and only in
    workers that speak one of its voices."""

    def prepare(self, voice: Voice) -> None: ...


# Makes an engine inside a worker process: it must pickle (a class, a module function, a partial).
EngineFactory = Callable[[], Engine]
