"""The speech models a caller can name, and what each one allows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from voicer.errors import UnknownModel

# Who speaks: the embedded engine, or the real ElevenLabs API when a key is configured.
LOCAL_ENGINE = "espeak-ng"
UPSTREAM_ENGINE = "elevenlabs"


@dataclass(frozen=True, slots=True)
class Model:
    model_id: str
    name: str
    multilingual: bool  # speaks the language of the text, not only the voice's own
    max_characters: int  # per request, as ElevenLabs documents it
    description: str
    engine: str = LOCAL_ENGINE  # UPSTREAM_ENGINE for a model of the upstream
    listing: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


# The ElevenLabs ids route to the embedded engine until an upstream is configured.
MODELS: tuple[Model, ...] = (
    Model("eleven_multilingual_v2", "Eleven Multilingual v2", True, 10_000,
          "Most life-like, 29 languages; the default."),
    Model("eleven_turbo_v2", "Eleven Turbo v2", False, 30_000, "Fast, English only."),
    Model("eleven_turbo_v2_5", "Eleven Turbo v2.5", True, 40_000, "Fast and multilingual."),
    Model("eleven_flash_v2", "Eleven Flash v2", False, 30_000, "Lowest latency, English only."),
    Model("eleven_flash_v2_5", "Eleven Flash v2.5", True, 40_000,
          "Lowest latency, multilingual."),
    Model("eleven_v3", "Eleven v3", True, 5_000, "Most expressive, multilingual."),
    Model("voicer_espeak", "Voicer espeak-ng", True, 40_000,
          "The embedded espeak-ng engine, 100+ languages, offline."),
)

DEFAULT_MODEL_ID = "eleven_multilingual_v2"


def get_model(model_id: str) -> Model:
    for model in MODELS:
        if model.model_id == model_id:
            return model
    raise UnknownModel(model_id, [m.model_id for m in MODELS])
