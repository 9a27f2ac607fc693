"""Events, written in the transaction that changes their task's status: a task that completed
or failed has its event, and an event its task's change (at least once, never before).

The body::

    {"id": "evt_…", "type": "task.completed", "created_at": "2026-12-01T15:40:00+00:00",
     "data": {"task_id", "status", "error", "characters", "audio_duration_seconds",
              "chunks_total", "download_path"}}
"""

from __future__ import annotations

import json
import secrets

from sqlalchemy.orm import Session

from voicer.db.tables import Task, User, WebhookEvent, utcnow
from voicer.webhooks.signing import new_secret

COMPLETED = "task.completed"
FAILED = "task.failed"


def enqueue(session: Session, task: Task, kind: str) -> None:
    """``kind`` of ``task``, for its callback URL or its owner's default one (none: nothing)."""
    user = session.get(User, task.user_id)
    url = task.synthesis_options.webhook_url or (user.webhook_url if user else None)
    if user is None or url is None:
        return
    secret_of(user)  # made now, if the user never asked for it: every event is signed
    event_id = f"evt_{secrets.token_hex(12)}"
    now = utcnow()
    status = "completed" if kind == COMPLETED else "failed"
    body = {"id": event_id, "type": kind, "created_at": now.isoformat(),
            "data": {"task_id": task.id, "status": status,
                     "error": task.error if kind == FAILED else None,
                     "characters": task.characters,
                     "audio_duration_seconds": round(task.audio_seconds, 3),
                     "chunks_total": task.chunks_total,
                     "download_path": f"/api/v1/voice/download/{task.id}"
                     if kind == COMPLETED else None}}
    session.add(WebhookEvent(id=event_id, user_id=user.id, task_id=task.id, type=kind, url=url,
                             body=json.dumps(body, ensure_ascii=False), attempts=0,
                             next_attempt_at=now, created_at=now))


def secret_of(user: User) -> str:
    """The user's webhook secret, made on first need (the caller commits)."""
    if user.webhook_secret is None:
        user.webhook_secret = new_secret()
    return user.webhook_secret
