"""Voices a caller can choose, each bound to an engine voice.

The ElevenLabs premade ids are here too, mapped to fitting local voices, so
code written for ElevenLabs runs offline unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Protocol

from voicer.errors import EngineNotConfigured, UnknownVoice
from voicer.models import LOCAL_ENGINE, MODELS, Model, get_model

DEFAULT_VOICE_ID = "AB9XsbSA4eLG12t2myjN"


@dataclass(frozen=True, slots=True)
class Voice:
    voice_id: str
    name: str
    languages: tuple[str, ...]  # ISO 639 codes, the first is the voice's own
    gender: str
    age: str
    accent: str
    description: str
    use_case: str
    long_description: str
    engine: str = LOCAL_ENGINE  # who speaks it: a name in the engine registry
    # What its engine needs to speak it (espeak-ng: ``espeak_voice``, ``variant``, ``pitch``);
    # only that engine reads it.
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # An upstream voice's own listing, shown as the upstream sends it.
    listing: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def language(self) -> str:
        return self.languages[0]


class Voices(Protocol):
    """Voices by id, and the models each voice's engine offers."""

    def get(self, voice_id: str, engine: str | None = None) -> Voice:
        """The voice of that id; with ``engine``, as that engine has it (a task's chunks are
        spoken by the engine it was accepted with, whatever the routing is now)."""
    def __iter__(self) -> Iterator[Voice]: ...
    def __len__(self) -> int: ...
    def languages(self) -> set[str]: ...
    def speaking(self, language: str) -> list[Voice]: ...
    def model(self, model_id: str, voice: Voice) -> Model: ...
    def models(self) -> list[Model]: ...


class VoiceCatalogue:
    """An immutable, ordered set of voices, looked up by id."""

    def __init__(self, voices: list[Voice]) -> None:
        self._voices = {voice.voice_id: voice for voice in voices}
        if len(self._voices) != len(voices):
            raise ValueError("voice ids must be unique")

    @classmethod
    def bundled(cls) -> VoiceCatalogue:
        raw = resources.files("voicer.voices").joinpath("catalogue.json").read_text("utf-8")
        return cls([_voice(entry) for entry in json.loads(raw)])

    def get(self, voice_id: str, engine: str | None = None) -> Voice:
        voice = self._voices.get(voice_id)
        if engine is not None and (voice is None or voice.engine != engine):
            raise EngineNotConfigured(voice_id, engine)  # accepted with an engine not here now
        if voice is None:
            raise UnknownVoice(voice_id)
        return voice

    def __iter__(self) -> Iterator[Voice]:
        return iter(self._voices.values())

    def __len__(self) -> int:
        return len(self._voices)

    def languages(self) -> set[str]:
        return {language for voice in self for language in voice.languages}

    def speaking(self, language: str) -> list[Voice]:
        return [voice for voice in self if language in voice.languages]

    def model(self, model_id: str, voice: Voice) -> Model:
        return get_model(model_id)

    def models(self) -> list[Model]:
        return list(MODELS)


def _voice(entry: dict[str, Any]) -> Voice:
    return Voice(**{**entry, "languages": tuple(entry["languages"]),
                    "params": dict(entry.get("params") or {})})
