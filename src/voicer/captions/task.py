"""A task's captions, from the words its chunks kept."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from voicer.captions.timeline import Timeline
from voicer.db.tables import Task, TaskChunk, TaskStatus
from voicer.errors import Conflict


def timeline(session: Session, task: Task) -> Timeline:
    """The words of a completed ``task`` on its output's clock."""
    if task.status != TaskStatus.completed:
        raise Conflict(f"task {task.id} is {task.status}; its captions are made once it is "
                       "completed")
    rows = session.execute(select(TaskChunk.text, TaskChunk.text_offset, TaskChunk.duration,
                                  TaskChunk.words)
                           .where(TaskChunk.task_id == task.id).order_by(TaskChunk.index))
    made = Timeline()
    for text, offset, duration, words in rows:
        if words is None:
            raise Conflict(f"task {task.id} was spoken before Voicer kept word timings: it has "
                           "no captions")
        made.add(text, offset, duration or 0.0, words)
    return made
