"""ElevenLabs voice management: instant cloning and the caller's own voices (edit, settings,
delete). Locally a clone is an approximation; with an ElevenLabs key, the upstream's own."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile

from voicer.api.deps import ElevenLabsCaller, ServicesDep
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.services import Services
from voicer.api.strict_json import StrictJsonRoute
from voicer.cloning.service import CloneRequest, Upload
from voicer.errors import InvalidInput
from voicer.voice_settings import VoiceSettings
from voicer.voices.owned import OwnedVoices, changeable

router = APIRouter(route_class=StrictJsonRoute, responses=elevenlabs_errors(*AUTHENTICATED),
                   prefix="/v1/voices", tags=["ElevenLabs: voices and models"])

OK = {"status": "ok"}


@router.post("/add", responses=elevenlabs_errors(400, 403, 413, 502))
def add_voice(
    caller: ElevenLabsCaller, services: ServicesDep,
    name: Annotated[str, Form()],
    files: Annotated[list[UploadFile], File(description="the reference: one or more audio "
                                                        "files, 10 s or more in all")],
    description: Annotated[str | None, Form()] = None,
    labels: Annotated[str | None, Form(description="a JSON object")] = None,
    remove_background_noise: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    """Instant voice cloning. Locally an **approximation**: the reference's pitch and pace are
    measured and a neural voice (hibari, or Piper's joe) is moved to match them; the voice is
    labelled `approximate`. With an ElevenLabs key, the upstream's real instant clone."""
    request = CloneRequest(name, tuple(upload_of(file) for file in files), description or "",
                           parse_labels(labels), remove_background_noise)
    voice = services.cloner.clone(caller.user, request)
    return {"voice_id": voice.voice_id, "requires_verification": False}


@router.post("/{voice_id}/edit", responses=elevenlabs_errors(400, 403, 404))
def edit_voice(
    voice_id: str, caller: ElevenLabsCaller, services: ServicesDep,
    name: Annotated[str, Form()],
    description: Annotated[str | None, Form()] = None,
    labels: Annotated[str | None, Form(description="a JSON object")] = None,
) -> dict[str, str]:
    """Rename one of your own voices, or change its description or labels."""
    changeable(services.planner.voices, voice_id)
    _owned(services).edit(caller.user, voice_id, name, description,
                          parse_labels(labels) if labels else None)
    return OK


@router.post("/{voice_id}/settings/edit", responses=elevenlabs_errors(400, 403, 404))
def edit_voice_settings(voice_id: str, settings: VoiceSettings, caller: ElevenLabsCaller,
                        services: ServicesDep) -> dict[str, str]:
    """The default settings of one of your own voices."""
    changeable(services.planner.voices, voice_id)
    _owned(services).set_settings(caller.user, voice_id, settings.model_dump())
    return OK


@router.delete("/{voice_id}", responses=elevenlabs_errors(403, 404))
def delete_voice(voice_id: str, caller: ElevenLabsCaller, services: ServicesDep) -> dict[str, str]:
    """Delete one of your own voices (upstream too, for a clone made there); premade voices
    cannot be deleted."""
    services.cloner.delete(caller.user, changeable(services.planner.voices, voice_id))
    return OK


def _owned(services: Services) -> OwnedVoices:
    return services.cloner.owned


def upload_of(file: UploadFile) -> Upload:
    return Upload(file.filename or "reference", file.file.read(),
                  file.content_type or "application/octet-stream")


def parse_labels(labels: str | None) -> dict[str, str]:
    """The ``labels`` form field: a JSON object of strings (``null`` or absent: none)."""
    if not labels or labels.strip() in ("null", "{}"):
        return {}
    try:
        found = json.loads(labels)
    except ValueError:
        found = None
    if not isinstance(found, dict):
        raise InvalidInput("labels", "labels must be a JSON object of strings")
    return {str(key): str(value) for key, value in found.items()}
