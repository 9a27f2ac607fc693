"""ElevenLabs voices and models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from voicer.api.deps import ElevenLabsCaller, ServicesDep, VoiceApiCaller
from voicer.api.downloads import stored_response
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.services import Services
from voicer.api.strict_json import StrictJsonRoute
from voicer.elevenlabs import shapes
from voicer.errors import NotFound, UnknownVoice
from voicer.voiceapi import models
from voicer.voices import Voice
from voicer.voices.preview import preview

router = APIRouter(route_class=StrictJsonRoute, responses=elevenlabs_errors(*AUTHENTICATED, 502, 503),
                   tags=["ElevenLabs: voices and models"])


@router.get("/v1/voices")
def list_voices(request: Request, caller: ElevenLabsCaller, services: ServicesDep,
                show_legacy: bool = False) -> dict[str, Any]:
    previews = preview_urls(request, services)
    return {"voices": [shapes.voice_json(voice, preview_url=previews)
                       for voice in services.planner.voices]}


@router.get("/v2/voices", responses=elevenlabs_errors(400))
def search_voices(
    request: Request, caller: ElevenLabsCaller, services: ServicesDep,
    next_page_token: str | None = None,
    page_size: Annotated[int, Query(ge=1, le=100)] = 10,
    search: str | None = None,
    sort: Annotated[str | None, Query(pattern="^(name|created_at_unix)$")] = None,
    sort_direction: Annotated[str | None, Query(pattern="^(asc|desc)$")] = None,
    voice_type: str | None = None,
    category: str | None = None,
    fine_tuning_state: str | None = None,
    collection_id: str | None = None,
    include_total_count: bool = True,
    gender: str | None = None,
    age: str | None = None,
    accent: str | None = None,
    language: str | None = None,
    use_cases: Annotated[list[str] | None, Query()] = None,
    voice_ids: Annotated[list[str] | None, Query()] = None,
) -> dict[str, Any]:
    """Search, filter, sort and page through the voices."""
    query = shapes.VoiceQuery(
        search=search, sort=sort, sort_direction=sort_direction, page_size=page_size,
        next_page_token=next_page_token, voice_type=voice_type, category=category, gender=gender,
        age=age, accent=accent, language=language, use_cases=use_cases, voice_ids=voice_ids)
    page, has_more, total, token = shapes.search_voices(services.planner.voices, query)
    previews = preview_urls(request, services)
    return {"voices": [shapes.voice_json(voice, preview_url=previews) for voice in page],
            "has_more": has_more,
            "total_count": total, "next_page_token": token}


@router.get("/v1/voices/settings/default")
def default_settings(caller: ElevenLabsCaller) -> dict[str, Any]:
    return shapes.default_settings_json()


@router.get("/v1/voices/{voice_id}", responses=elevenlabs_errors(400, 404))
def get_voice(voice_id: str, request: Request, caller: ElevenLabsCaller, services: ServicesDep,
              with_settings: bool = True) -> dict[str, Any]:
    return shapes.voice_json(_found(services, voice_id), with_settings,
                             preview_urls(request, services))


@router.get("/v1/voices/{voice_id}/preview", name="voice_preview", response_class=Response,
            responses={200: {"content": {"audio/mpeg": {}},
                             "description": "a short sample of the voice, MP3"},
                       **elevenlabs_errors(400, 404)})
def voice_preview(voice_id: str, caller: ElevenLabsCaller, services: ServicesDep) -> Response:
    """A short sample of a local voice, rendered by Voicer the first time and kept."""
    voice = services.planner.voices.get(voice_id)
    if services.engines.relays(voice.engine):
        raise NotFound(f"voice {voice_id!r} is the upstream's: its listing has its preview")
    stored = preview(voice, services.storage, services.speech, services.planner.voices,
                     services.planner.detector)
    return stored_response(stored, "audio/mpeg")


def preview_urls(request: Request, services: Services) -> Callable[[Voice], str | None]:
    """Where each local voice's preview is; none for the upstream's voices."""
    def url(voice: Voice) -> str | None:
        if services.engines.relays(voice.engine):
            return None
        return str(request.url_for("voice_preview", voice_id=voice.voice_id))
    return url


@router.get("/v1/voices/{voice_id}/settings", responses=elevenlabs_errors(400, 404))
def voice_settings(voice_id: str, caller: ElevenLabsCaller, services: ServicesDep) -> dict[str, Any]:
    own = (_found(services, voice_id).listing or {}).get("settings")
    return dict(own) if own else shapes.default_settings_json()


def _found(services: Services, voice_id: str) -> Voice:
    """The voice, or 404: another user's own voice is as unknown as one that never was."""
    try:
        return services.planner.voices.get(voice_id)
    except UnknownVoice as error:
        raise NotFound(error.message) from None


@router.get("/v1/models", response_model=None, responses=elevenlabs_errors(400))
def list_models(
    caller: VoiceApiCaller, services: ServicesDep, response: Response,
    title: Annotated[str | None, Query(description="Voice API: fuzzy match on the title")] = None,
    language: Annotated[str | None, Query(description="Voice API: a language code")] = None,
    tag: Annotated[str | None, Query(description="Voice API: a tag (female, calm, cloned…)")] = None,
    sort: Annotated[str | None, Query(description=f"Voice API: {', '.join(models.SORTS)}")] = None,
    page: Annotated[int | None, Query(ge=1, description="Voice API: from 1")] = None,
    page_size: Annotated[int | None, Query(ge=1, le=100, description="Voice API")] = None,
    refresh: Annotated[bool | None, Query(description="Voice API: bypass the cache")] = None,
) -> list[dict[str, Any]] | dict[str, Any]:
    """ElevenLabs' plain list of speech models, as its SDK reads it. With any of the Voice
    API's parameters, the Voice API's models list instead: the voices a caller can name in
    `model_ids` (its own clones among them), filtered, sorted and paged; pages asked often are
    cached (`X-Cache: HIT`) and `refresh=true` makes the page anew."""
    asked = (title, language, tag, sort, page, page_size, refresh)
    if all(value is None for value in asked):
        return [shapes.model_json(model, services.planner.voices)
                for model in services.planner.voices.models()]
    query = models.ModelQuery(title, language, tag, sort, page or 1, page_size or 20)
    found, hit = models.listed(services.models, services.planner.voices, caller.user.id, query,
                               bool(refresh))
    response.headers["X-Cache"] = "HIT" if hit else "MISS"
    return {"items": list(found.items), "total": found.total, "page": found.page,
            "page_size": found.page_size}
