"""The web studio's page and its settings; its assets are mounted beside it (see app.py)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import HTMLResponse

from voicer import studio
from voicer.studio import StudioConfig

router = APIRouter(prefix=studio.PATH, tags=["🖥️ Studio"])


@router.get("", summary="🖥️ The web studio", response_class=HTMLResponse)
def page() -> HTMLResponse:
    """The studio for people: also what a browser gets at `/`."""
    return studio.page()


@router.get("/config.json", summary="🖥️ The studio's menus")
def config() -> StudioConfig:
    """What the studio offers: the outputs this server writes, the files it opens, the sound
    effects it makes."""
    return studio.config()
