"""Events, written in the transaction that changes their task's status: a task (or dubbing)
that completed or failed has its event, and an event its change (at least once, never before).

The body::

    {"id": "evt_…", "type": "task.completed", "created_at": "2026-12-01T15:40:00+00:00",
     "data": {"task_id", "status", "error", "characters", "audio_duration_seconds",
              "chunks_total", "download_path"}}

A dubbing's, to its ``webhook_url`` or its owner's default callback::

    {"id": "evt_…", "type": "dubbing.completed", "created_at": "…",
     "data": {"dubbing_id", "name", "status", "error", "characters", "duration_seconds",
              "target_languages", "audio_paths"}}

A recognition task's (``/v1/stt``), to its ``webhook_url`` or its owner's default callback::

    {"id": "evt_…", "type": "stt.completed", "created_at": "…",
     "data": {"task_id", "status", "error", "filename", "language", "duration_seconds",
              "characters", "result_path"}}
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy.orm import Session

from voicer.db.tables import DubbingProject, SttTask, Task, User, WebhookEvent, utcnow
from voicer.webhooks.signing import new_secret

COMPLETED = "task.completed"
FAILED = "task.failed"
DUBBING_COMPLETED = "dubbing.completed"
DUBBING_FAILED = "dubbing.failed"
STT_COMPLETED = "stt.completed"
STT_FAILED = "stt.failed"


def enqueue(session: Session, task: Task, kind: str) -> None:
    """``kind`` of ``task``, for its callback URL or its owner's default one (none: nothing)."""
    user = session.get(User, task.user_id)
    url = task.synthesis_options.webhook_url or (user.webhook_url if user else None)
    _add(session, user, url, task.id, kind, {
        "task_id": task.id, "status": "completed" if kind == COMPLETED else "failed",
        "error": task.error if kind == FAILED else None,
        "characters": task.characters,
        "audio_duration_seconds": round(task.audio_seconds, 3),
        "chunks_total": task.chunks_total,
        "download_path": f"/api/v1/voice/download/{task.id}" if kind == COMPLETED else None})


def enqueue_dubbing(session: Session, project: DubbingProject, kind: str) -> None:
    """``kind`` of the dubbing ``project``, for its callback URL or its owner's default one
    (none: nothing)."""
    user = session.get(User, project.user_id)
    url = project.webhook_url or (user.webhook_url if user else None)
    done = kind == DUBBING_COMPLETED
    languages = [project.target_language]
    _add(session, user, url, project.id, kind, {
        "dubbing_id": project.id, "name": project.name,
        "status": "dubbed" if done else "failed", "error": None if done else project.error,
        "characters": project.characters, "duration_seconds": project.duration,
        "target_languages": languages,
        "audio_paths": {language: f"/v1/dubbing/{project.id}/audio/{language}"
                        for language in languages} if done else None})


def enqueue_stt(session: Session, task: SttTask, kind: str) -> None:
    """``kind`` of the recognition ``task``, for its callback URL or its owner's default one
    (none: nothing)."""
    user = session.get(User, task.user_id)
    url = task.webhook_url or (user.webhook_url if user else None)
    done = kind == STT_COMPLETED
    _add(session, user, url, task.id, kind, {
        "task_id": task.id, "status": task.status, "error": None if done else task.error,
        "filename": task.filename, "language": task.language,
        "duration_seconds": task.duration, "characters": task.characters,
        "result_path": f"/v1/stt/{task.id}/result" if done else None})


def _add(session: Session, user: User | None, url: str | None, subject_id: str, kind: str,
         data: dict[str, Any]) -> None:
    """The event, due now, if there is someone to tell."""
    if user is None or url is None:
        return
    secret_of(user)  # made now, if the user never asked for it: every event is signed
    event_id = f"evt_{secrets.token_hex(12)}"
    now = utcnow()
    body = {"id": event_id, "type": kind, "created_at": now.isoformat(), "data": data}
    session.add(WebhookEvent(id=event_id, user_id=user.id, task_id=subject_id, type=kind, url=url,
                             body=json.dumps(body, ensure_ascii=False), attempts=0,
                             next_attempt_at=now, created_at=now))


def secret_of(user: User) -> str:
    """The user's webhook secret, made on first need (the caller commits)."""
    if user.webhook_secret is None:
        user.webhook_secret = new_secret()
    return user.webhook_secret
