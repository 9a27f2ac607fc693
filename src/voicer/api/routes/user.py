"""The caller's account."""

from __future__ import annotations

from fastapi import APIRouter

from voicer.accounts import UserStats, stats
from voicer.api.deps import CurrentUser, SessionDep
from voicer.api.responses import AUTHENTICATED, voicer_errors
from voicer.api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, responses=voicer_errors(*AUTHENTICATED),
                   prefix="/api/v1/user", tags=["👤 Пользователь"])


@router.get("/stats", summary="📈 Статистика пользователя")
def user_stats(user: CurrentUser, session: SessionDep) -> UserStats:
    """Получить подробную статистику использования API текущим пользователем."""
    return stats(session, user)
