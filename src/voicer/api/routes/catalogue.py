"""Voices and models a caller can choose from."""

from __future__ import annotations

from fastapi import APIRouter

from voicer.api.deps import CurrentUser, ServicesDep
from voicer.api.responses import AUTHENTICATED, voicer_errors
from voicer.api.schemas import ModelInfo, VoiceInfo
from voicer.api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, responses=voicer_errors(*AUTHENTICATED),
                   prefix="/api/v1", tags=["🎭 Голоса и модели"])


@router.get("/voices", summary="🎭 Голоса")
def voices(user: CurrentUser, services: ServicesDep, language: str | None = None) -> list[VoiceInfo]:
    """Every voice, or those speaking `language` (ISO 639-1)."""
    catalogue = services.planner.voices
    chosen = catalogue.speaking(language.lower()) if language else list(catalogue)
    return [VoiceInfo.model_validate(voice) for voice in chosen]


@router.get("/models", summary="🤖 Модели")
def models(user: CurrentUser, services: ServicesDep) -> list[ModelInfo]:
    return [ModelInfo(model_id=m.model_id, name=m.name, description=m.description,
                      multilingual=m.multilingual, max_characters_per_request=m.max_characters,
                      engine=m.engine)
            for m in services.planner.voices.models()]
