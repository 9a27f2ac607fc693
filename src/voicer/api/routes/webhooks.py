"""The caller's default callback URL, and the secret their events are signed with."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from voicer.api.deps import CurrentUser, ServicesDep, SessionDep
from voicer.api.responses import AUTHENTICATED, voicer_errors
from voicer.api.strict_json import StrictJsonRoute
from voicer.db.tables import User
from voicer.webhooks import targets
from voicer.webhooks.events import secret_of

router = APIRouter(route_class=StrictJsonRoute, responses=voicer_errors(*AUTHENTICATED),
                   prefix="/api/v1/user", tags=["👤 Пользователь"])


class WebhookIn(BaseModel):
    url: str | None = Field(description="where your tasks' events go when a task names no "
                                        "webhook_url; null: nowhere")


class Webhook(BaseModel):
    url: str | None
    secret: str = Field(description="the key of the HMAC-SHA256 in each event's "
                                    "Voicer-Signature header")


@router.get("/webhook", summary="🔔 Вебхук по умолчанию")
def get_webhook(user: CurrentUser, session: SessionDep) -> Webhook:
    """Your default callback URL and your signing secret (made on first request)."""
    return _answer(session, user)


@router.put("/webhook", summary="🔔 Задать вебхук по умолчанию", responses=voicer_errors(400))
def put_webhook(body: WebhookIn, user: CurrentUser, services: ServicesDep,
                session: SessionDep) -> Webhook:
    """Set (or, with null, clear) the callback URL of the tasks that name none."""
    if body.url is not None:
        targets.check(body.url, services.settings.webhook_allowed_hosts, "url")
    user.webhook_url = body.url
    return _answer(session, user)


def _answer(session: Session, user: User) -> Webhook:
    secret = secret_of(user)
    session.commit()
    return Webhook(url=user.webhook_url, secret=secret)
