"""The Voice API's text to speech: submit a script, poll its task, download the MP3."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from voicer.api.deps import ServicesDep, SessionDep, VoiceApiCaller
from voicer.api.downloads import stored_response
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.strict_json import StrictJsonRoute
from voicer.db.tables import SpeechTask
from voicer.models import DEFAULT_MODEL_ID
from voicer.voiceapi import tts
from voicer.voices import DEFAULT_VOICE_ID

router = APIRouter(route_class=StrictJsonRoute, responses=elevenlabs_errors(*AUTHENTICATED),
                   prefix="/v1/tts", tags=["Voice API: text to speech"])


class TtsBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1, description="[S1]/[S2]… or `Speaker 1:` mark the speakers; "
                                                "[excited], [whisper], [pause]… are cues")
    model_ids: Annotated[list[str], Field(min_length=1, max_length=10)] = Field(
        default_factory=lambda: [DEFAULT_VOICE_ID],
        description="the voice of each speaker, in marker order: any voice id, a cloned "
                    "voice's too")
    model_id: str = Field(DEFAULT_MODEL_ID, description="the speech model every line uses")
    speed: float = Field(1.0, ge=0.7, le=1.2)


class TtsTaskStatus(BaseModel):
    task_id: str
    status: str  # pending, processing, succeeded, failed
    progress: int  # percent
    characters: int  # charged
    duration: float | None  # seconds of audio, once made
    speakers: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None

    @classmethod
    def of(cls, task: SpeechTask) -> TtsTaskStatus:
        return cls(task_id=task.id, status=task.status, progress=task.progress,
                   characters=task.characters, duration=task.duration,
                   speakers=len({line["speaker"] for line in task.lines}), error=task.error,
                   created_at=task.created_at, started_at=task.started_at,
                   completed_at=task.completed_at)


@router.post("", responses=elevenlabs_errors(400, 403))
def tts_submit(body: TtsBody, caller: VoiceApiCaller, services: ServicesDep) -> TtsTaskStatus:
    """Accept a script to speak; answers at once with the `pending` task. Charged the
    characters spoken (markers and cues are not) at submit; refunded if it fails."""
    script = tts.Script(body.text, body.model_ids, body.model_id, body.speed)
    return TtsTaskStatus.of(services.tts.submit(caller.user, script))


@router.get("/{task_id}", responses=elevenlabs_errors(404))
def tts_status(task_id: str, caller: VoiceApiCaller, session: SessionDep) -> TtsTaskStatus:
    """The task's status and progress."""
    return TtsTaskStatus.of(tts.get(session, caller.user, task_id))


@router.get("/{task_id}/audio", response_class=Response,
            responses={200: {"content": {"audio/mpeg": {}}}, **elevenlabs_errors(404, 409)})
def tts_audio(task_id: str, caller: VoiceApiCaller, services: ServicesDep,
              session: SessionDep) -> Response:
    """The MP3 once `status=succeeded` (409 before), as `{task_id}.mp3`."""
    stored = services.tts.audio(session, caller.user, task_id)
    return stored_response(stored, tts.OUTPUT.media_type, filename=f"{task_id}.mp3")
