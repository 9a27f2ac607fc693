"""Request bodies of the ElevenLabs-compatible API, as ElevenLabs documents them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from voicer.models import DEFAULT_MODEL_ID
from voicer.pronunciation.dictionaries import Locator
from voicer.text.normalize import Normalization
from voicer.voice_settings import VoiceSettings


class VoiceSettingsIn(BaseModel):
    """Every field optional: what the caller leaves out keeps ElevenLabs' default."""

    model_config = ConfigDict(extra="ignore")

    stability: float | None = Field(None, ge=0.0, le=1.0)
    similarity_boost: float | None = Field(None, ge=0.0, le=1.0)
    style: float | None = Field(None, ge=0.0, le=1.0)
    use_speaker_boost: bool | None = None
    speed: float | None = Field(None, ge=0.7, le=1.2)

    def resolve(self) -> VoiceSettings:
        return VoiceSettings(**self.model_dump(exclude_none=True))


class DictionaryLocator(BaseModel):
    pronunciation_dictionary_id: str
    version_id: str | None = None


def locators(given: list[DictionaryLocator] | None) -> list[Locator]:
    return [Locator(locator.pronunciation_dictionary_id, locator.version_id)
            for locator in given or ()]


class TextToSpeechBody(BaseModel):
    """``POST /v1/text-to-speech/{voice_id}`` and its streaming variants.

    Accepted but not honoured by the local engine (documented in the README): ``seed`` (the
    local engine is deterministic anyway), ``previous_text``/``next_text``/``*_request_ids``
    (used by the upstream engine), ``apply_language_text_normalization`` (ElevenLabs applies
    it to Japanese only), ``use_pvc_as_ivc``, ``audio_effects``.
    """

    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1)
    model_id: str = DEFAULT_MODEL_ID
    language_code: str | None = None
    voice_settings: VoiceSettingsIn | None = None
    pronunciation_dictionary_locators: list[DictionaryLocator] | None = None
    seed: int | None = Field(None, ge=0, le=4_294_967_295)
    previous_text: str | None = None
    next_text: str | None = None
    previous_request_ids: list[str] | None = Field(None, max_length=3)
    next_request_ids: list[str] | None = Field(None, max_length=3)
    use_pvc_as_ivc: bool | None = None
    apply_text_normalization: Normalization = Normalization.auto
    apply_language_text_normalization: bool | None = None
    audio_effects: dict[str, Any] | None = None

    def settings(self) -> VoiceSettings:
        return (self.voice_settings or VoiceSettingsIn()).resolve()
