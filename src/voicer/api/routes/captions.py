"""A completed task's captions: SubRip, WebVTT or word-level JSON."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from voicer.api.deps import CurrentUser, SessionDep
from voicer.api.responses import AUTHENTICATED, voicer_errors
from voicer.captions import formats
from voicer.captions.task import timeline
from voicer.tasks import service as tasks

router = APIRouter(responses=voicer_errors(*AUTHENTICATED), prefix="/api/v1/voice",
                   tags=["🎵 Озвучка"])


@router.get("/tasks/{task_id}/captions", summary="💬 Субтитры задачи",
            responses={200: {"content": {media: {} for _, media, _ in formats.FORMATS.values()}},
                       **voicer_errors(404, 409)})
def captions(task_id: str, user: CurrentUser, session: SessionDep,
             kind: Annotated[Literal["srt", "vtt", "json"], Query(alias="format")] = "srt",
             ) -> Response:
    """The captions of the task's whole audio: cues on sentence boundaries, at most two lines
    of 42 characters and 7 seconds each, on the output's clock (pauses and joins included);
    `json` lists every word with its start, end and place in the text."""
    extension, media_type, _ = formats.FORMATS[kind]
    made = formats.write(timeline(session, tasks.get(session, user, task_id)), kind)
    return Response(made, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="voicer-{task_id}.{extension}"'})
