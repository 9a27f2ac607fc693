"""What the Voice API's background tasks — recognition (``/v1/stt``) and speech (``/v1/tts``) —
do alike with their rows: find the caller's, change one, fail one with a refund."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import Session

from voicer.accounts import refund_characters
from voicer.db import Database
from voicer.db.tables import SpeechTask, SttStatus, SttTask, User, utcnow
from voicer.errors import NotFound

Row = TypeVar("Row", SttTask, SpeechTask)


def owned(session: Session, table: type[Row], user: User, task_id: str, what: str) -> Row:
    """The caller's task; another user's is as unknown as a missing one."""
    task = session.get(table, task_id)
    if task is None or task.user_id != user.id:
        raise NotFound(f"{what} task {task_id} not found")
    return task


def changed(database: Database, table: type[SttTask] | type[SpeechTask], task_id: str,
            **values: Any) -> None:
    """Write ``values`` into the task's row, in a session of its own."""
    with database.session() as session:
        session.execute(update(table).where(table.id == task_id).values(**values))
        session.commit()


def failed(session: Session, task: SttTask | SpeechTask, message: str) -> None:
    """The task ends ``failed``, saying why; its characters are given back."""
    refund_characters(session, task.user_id, task.characters)
    task.status, task.error, task.completed_at = SttStatus.failed, message, utcnow()


def failed_now(database: Database, table: type[Row], task_id: str, message: str) -> None:
    """``failed``, in a session of its own, if the task is still there."""
    with database.session() as session:
        task = session.get(table, task_id)
        if task is not None:
            failed(session, task, message)
        session.commit()
