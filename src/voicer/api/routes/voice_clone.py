"""The Voice API's cloning: a reference in, a private voice (its ``model_id``) out.

Locally the clone is made while the request waits (seconds: the reference is recognised and
measured), so the task answers ``succeeded`` at once; its status stays readable by its id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel

from voicer.api.deps import ServicesDep, VoiceApiCaller
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.routes.elevenlabs_voices import parse_labels, upload_of
from voicer.api.strict_json import StrictJsonRoute
from voicer.cloning.service import CloneRequest
from voicer.errors import NotFound
from voicer.voices import Voice

router = APIRouter(route_class=StrictJsonRoute, responses=elevenlabs_errors(*AUTHENTICATED),
                   prefix="/v1/clone", tags=["Voice API: voice cloning"])


class CloneResult(BaseModel):
    model_id: str  # usable wherever a voice id is: /v1/tts model_ids, /v1/text-to-speech…
    name: str
    approximate: bool  # a local approximation, not a trained model


class CloneTask(BaseModel):
    task_id: str
    status: str  # succeeded (a failed clone is refused at submit, with the reason)
    progress: int
    result: CloneResult

    @classmethod
    def of(cls, voice: Voice) -> CloneTask:
        labels = (voice.listing or {}).get("labels") or {}
        return cls(task_id=voice.voice_id, status="succeeded", progress=100,
                   result=CloneResult(model_id=voice.voice_id, name=voice.name,
                                      approximate=labels.get("approximate") == "true"))


@router.post("", responses=elevenlabs_errors(400, 403, 413, 502))
def clone_submit(
    caller: VoiceApiCaller, services: ServicesDep,
    file: Annotated[UploadFile, File(description="the reference: 10 s or more of one voice "
                                                 "(mp3, wav, m4a…); too long is refused")],
    name: Annotated[str, Form()] = "Cloned voice",
    description: Annotated[str | None, Form()] = None,
    labels: Annotated[str | None, Form(description="a JSON object")] = None,
    remove_background_noise: Annotated[bool, Form()] = False,
) -> CloneTask:
    """Clone a voice from a reference. Locally an approximation of its pitch and pace by a
    neural voice, labelled so; with an ElevenLabs key, the upstream's instant clone."""
    request = CloneRequest(name, (upload_of(file),), description or "", parse_labels(labels),
                           remove_background_noise)
    return CloneTask.of(services.cloner.clone(caller.user, request))


@router.get("/{task_id}", responses=elevenlabs_errors(404))
def clone_status(task_id: str, caller: VoiceApiCaller, services: ServicesDep) -> CloneTask:
    """The clone's status; `result.model_id` is the voice."""
    voice = services.cloner.owned.get_own(caller.user, task_id)
    if voice is None:
        raise NotFound(f"clone task {task_id!r} not found")
    return CloneTask.of(voice)
