"""The Voice API's speech to text: upload a file, poll its task, read the result."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel

from voicer.api.deps import CurrentUser, ServicesDep, SessionDep
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.db.tables import SttTask
from voicer.recognition import tasks
from voicer.recognition.tasks import SttRequest
from voicer.webhooks import targets

router = APIRouter(responses=elevenlabs_errors(*AUTHENTICATED), prefix="/v1/stt",
                   tags=["Voice API: speech to text"])


class SttTaskStatus(BaseModel):
    task_id: str
    status: str  # pending, processing, succeeded, failed, cancelled
    progress: int  # percent
    filename: str
    language: str | None
    duration: float  # seconds of audio
    characters: int  # charged
    error: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    result: None = None  # always null here: read it from /v1/stt/{task_id}/result

    @classmethod
    def of(cls, task: SttTask) -> SttTaskStatus:
        return cls(task_id=task.id, status=task.status, progress=task.progress,
                   filename=task.filename, language=task.language, duration=task.duration,
                   characters=task.characters, error=task.error, created_at=task.created_at,
                   started_at=task.started_at, completed_at=task.completed_at)


@router.post("", responses=elevenlabs_errors(400, 403))
def stt_submit(
    user: CurrentUser,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="mp3, wav, m4a, ogg, flac, webm, ...")],
    language: Annotated[str | None, Form(description="ISO 639-1 or 639-3; none: detected")] = None,
    diarize: Annotated[bool, Form(description="label each segment's speaker")] = True,
    num_speakers: Annotated[int | None, Form(ge=1, le=32)] = None,
    model_id: Annotated[str, Form()] = "whisper",
    webhook_url: Annotated[str | None, Form(
        description="POSTed a signed stt.completed or stt.failed event; default: your own "
                    "(PUT /api/v1/user/webhook); private addresses are refused")] = None,
) -> SttTaskStatus:
    """Accept a file to recognise; answers at once with the `pending` task. Charged by the
    audio's duration at submit; refunded if recognition fails."""
    if webhook_url is not None:
        targets.check(webhook_url, services.settings.webhook_allowed_hosts)
    request = SttRequest(file.filename or "upload", language, diarize, num_speakers, model_id,
                         webhook_url)
    return SttTaskStatus.of(services.stt.submit(user, file.file, request))


@router.get("/{task_id}", responses=elevenlabs_errors(404))
def stt_status(task_id: str, user: CurrentUser, session: SessionDep) -> SttTaskStatus:
    """The task's status and progress; `result` is always null here."""
    return SttTaskStatus.of(tasks.get(session, user, task_id))


@router.delete("/{task_id}", responses=elevenlabs_errors(404, 409))
def stt_cancel(task_id: str, user: CurrentUser, services: ServicesDep) -> SttTaskStatus:
    """Stop a pending or processing task. A pending one is refunded whole; a processing one
    stops after the pieces being recognised, keeps what they heard as its result and is
    refunded the rest of the audio."""
    return SttTaskStatus.of(services.stt.cancel(user, task_id))


@router.get("/{task_id}/result", responses=elevenlabs_errors(404, 409))
def stt_result(
    task_id: str, user: CurrentUser, session: SessionDep,
    plain_text: Annotated[bool, Query(description="only the merged transcript")] = False,
) -> dict[str, Any]:
    """Segments with times and speaker labels, or with `plain_text=true` the transcript only.
    409 until the task has succeeded (or, cancelled midway, has what was heard)."""
    found = tasks.finished(session, user, task_id)
    if plain_text:
        return {"task_id": task_id, "text": found["text"]}
    return found
