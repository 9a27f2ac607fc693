"""Where each chunk of a task's output starts, for players that jump from chunk to chunk, and
which chunks open a book's chapters, for players that jump from chapter to chapter."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from voicer.books import BookTags
from voicer.db.tables import TaskChunk, TaskStatus, User
from voicer.errors import Conflict
from voicer.tasks import service

PREVIEW_CHARACTERS = 80  # of a chunk's text, enough to recognise a chapter's opening


class ChunkMark(BaseModel):
    index: int
    start: float = Field(description="seconds from the start of the merged output")
    duration: float = Field(description="seconds, the pause after it included")
    text: str = Field(description="its first words")
    chapter: str | None = Field(None, description="the title of the chapter it opens; null: "
                                                  "none (plain text, or within a chapter)")


def marks(session: Session, user: User, task_id: str) -> list[ChunkMark]:
    """The chunks of a completed task in order, each with its start in the output."""
    task = service.get(session, user, task_id)
    if task.status != TaskStatus.completed:
        raise Conflict(f"task {task_id} is {task.status}; its chunks have times once it is completed")
    chunks = session.scalars(select(TaskChunk).where(TaskChunk.task_id == task_id)
                             .order_by(TaskChunk.index))
    titles = _chapter_titles(task.book)
    found: list[ChunkMark] = []
    start = 0.0
    for chunk in chunks:
        duration = chunk.duration or 0.0  # a segment's duration holds the pause after it
        found.append(ChunkMark(index=chunk.index, start=round(start, 3),
                               duration=round(duration, 3), text=_opening(chunk.text),
                               chapter=titles.get(chunk.index)))
        start += duration
    return found


def _chapter_titles(book: dict[str, Any] | None) -> dict[int, str]:
    """The title of each chapter by the index of its first chunk."""
    if not book:
        return {}
    return {chapter.chunk: chapter.title for chapter in BookTags.from_json(book).chapters}


def _opening(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= PREVIEW_CHARACTERS:
        return flat
    return flat[:PREVIEW_CHARACTERS].rsplit(" ", 1)[0] + "…"
