"""A completed task's chunk times: where a player jumps to reach each one."""

from __future__ import annotations

from fastapi import APIRouter

from voicer.api.deps import CurrentUser, SessionDep
from voicer.api.responses import AUTHENTICATED, voicer_errors
from voicer.api.strict_json import StrictJsonRoute
from voicer.tasks import timeline
from voicer.tasks.timeline import ChunkMark

router = APIRouter(route_class=StrictJsonRoute, responses=voicer_errors(*AUTHENTICATED),
                   prefix="/api/v1/voice", tags=["🎵 Озвучка"])


@router.get("/tasks/{task_id}/chunks", summary="⏱️ Chunk times",
            responses=voicer_errors(404, 409))
def chunks(task_id: str, user: CurrentUser, session: SessionDep) -> list[ChunkMark]:
    """Each chunk of a completed task, in order: its start in the merged output, its
    duration with the pause after it, and its first words. 409 until it is completed."""
    return timeline.marks(session, user, task_id)
