"""The caller's account."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from voicer.accounts import stats
from voicer.api.deps import CurrentUser, SessionDep
from voicer.api.schemas import UserStats

router = APIRouter(prefix="/api/v1/user", tags=["👤 Пользователь"])


@router.get("/stats", summary="📈 Статистика пользователя")
def user_stats(user: CurrentUser, session: SessionDep) -> UserStats:
    """Получить подробную статистику использования API текущим пользователем."""
    return UserStats(**asdict(stats(session, user)))
