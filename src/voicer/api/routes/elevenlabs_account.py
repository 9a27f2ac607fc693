"""ElevenLabs user, subscription and history, from the caller's Voicer account."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel

from voicer.api.deps import ElevenLabsCaller, ServicesDep, SessionDep
from voicer.api.downloads import stored_response
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.strict_json import StrictJsonRoute
from voicer.elevenlabs import account

router = APIRouter(route_class=StrictJsonRoute, responses=elevenlabs_errors(*AUTHENTICATED),
                   prefix="/v1", tags=["ElevenLabs: user and history"])


@router.get("/user")
def user(caller: ElevenLabsCaller, session: SessionDep) -> dict[str, Any]:
    return account.user(session, caller.user)


@router.get("/user/subscription")
def subscription(caller: ElevenLabsCaller, session: SessionDep) -> dict[str, Any]:
    return account.subscription(session, caller.user)


@router.get("/history", responses=elevenlabs_errors(400, 404))
def history(
    caller: ElevenLabsCaller, session: SessionDep,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 100,
    start_after_history_item_id: str | None = None,
    voice_id: str | None = None,
    model_id: str | None = None,
    search: str | None = None,
    source: str | None = None,
    sort_direction: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
) -> dict[str, Any]:
    items, has_more = account.history(session, caller.user, page_size, start_after_history_item_id,
                                      voice_id, model_id, search, sort_direction)
    return {"history": [account.history_json(item) for item in items], "has_more": has_more,
            "last_history_item_id": items[-1].id if items else None,
            "scanned_until": int(items[-1].created_at.timestamp()) if items else None}


class HistoryDownload(BaseModel):
    history_item_ids: list[str]
    output_format: str | None = None  # the items' own formats are kept


@router.post("/history/download", response_class=Response,
             responses={200: {"content": {"audio/mpeg": {}, "application/zip": {}},
                              "description": "one item's audio, or a ZIP of several"},
                        **elevenlabs_errors(400, 404)})
def download_history(body: HistoryDownload, caller: ElevenLabsCaller, session: SessionDep,
                     services: ServicesDep) -> Response:
    """One item: its audio as it was made. Several: a ZIP of theirs, each as
    `{history_item_id}.{extension}`."""
    items = account.history_items(session, caller.user, body.history_item_ids)
    if len(items) == 1:
        return stored_response(account.audio(services.storage, items[0]), items[0].content_type)
    return Response(account.zipped(services.storage, items), media_type="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="history.zip"'})


@router.get("/history/{history_item_id}", responses=elevenlabs_errors(404))
def history_item(history_item_id: str, caller: ElevenLabsCaller,
                 session: SessionDep) -> dict[str, Any]:
    return account.history_json(account.history_item(session, caller.user, history_item_id))


@router.delete("/history/{history_item_id}", responses=elevenlabs_errors(404))
def delete_history_item(history_item_id: str, caller: ElevenLabsCaller, session: SessionDep,
                        services: ServicesDep) -> dict[str, Any]:
    account.delete_history_item(session, services.storage, caller.user, history_item_id)
    return {"status": "ok"}


@router.get("/history/{history_item_id}/audio", response_class=FileResponse,
            responses=elevenlabs_errors(404))
def history_audio(history_item_id: str, caller: ElevenLabsCaller, session: SessionDep,
                  services: ServicesDep) -> Response:
    item = account.history_item(session, caller.user, history_item_id)
    return stored_response(account.audio(services.storage, item), item.content_type)

