"""Task business rules: submit, look up, list, cancel, describe. No HTTP here."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voicer.accounts import refund_characters, reserve_characters
from voicer.db.database import rowcount
from voicer.db.tables import ACTIVE, ChunkStatus, Task, TaskChunk, TaskStatus, User, utcnow
from voicer.errors import Conflict, IdempotencyMismatch, NotFound
from voicer.language import LanguageDetector
from voicer.output.base import WORST_CHUNKS
from voicer.pipeline.plan import SynthesisOptions, plan_document
from voicer.tasks.throughput import ThroughputMeter, engine_of
from voicer.voices import Voices
from voicer.webhooks import events


@dataclass(frozen=True, slots=True)
class Planner:
    """What planning a task needs, loaded once and held by the app."""

    voices: Voices
    detector: LanguageDetector


class WorstChunk(BaseModel):
    """A verified task's chunk heard back badly."""

    index: int = Field(description="1-based, as the ZIP manifest numbers chunks")
    text: str
    heard: str = Field(description="what the recognizer heard")
    word_error_rate: float
    attempts: int = Field(description="renders it took (more only for an upstream voice)")


class Verification(BaseModel):
    """How a verified task's chunks were heard back, so far."""

    chunks_verified: int
    word_error_rate: float = Field(description="the mean of the chunks' word error rates")
    worst_chunks: list[WorstChunk] = Field(description="up to five, worst first; a chunk heard "
                                                       "perfectly is never among them")


class TaskView(BaseModel):
    """Everything a caller may know about a task."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    status: str = Field(description="pending, processing, completed, failed or cancelled")
    progress: float = Field(description="0-100")
    chunks_total: int
    chunks_completed: int
    characters: int
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    estimated_time_remaining: float | None = Field(description="seconds")
    error: str | None
    audio_duration_seconds: float | None
    output: str = Field(description="zip, or the format's file extension: mp3, wav, pcm, ogg, ...")
    voice_id: str
    model_id: str
    verification: Verification | None = Field(None, description="a verified task's chunks as "
                                                                 "heard back; null unless verify")


def submit(session: Session, user: User, text: str, options: SynthesisOptions, planner: Planner,
           idempotency_key: str | None = None) -> tuple[Task, bool]:
    """Create a task, reserving its characters; ``(task, False)`` if the key was seen."""
    digest = _request_hash(text, options)
    if idempotency_key is not None:
        existing = _by_key(session, user, idempotency_key, digest)
        if existing is not None:
            return existing, False
    plan = plan_document(text, options, planner.voices, planner.detector)
    task = Task(id=str(uuid.uuid4()), user_id=user.id, status=TaskStatus.pending,
                options=options.model_dump(mode="json"), characters=plan.length,
                chunks_total=len(plan.chunks), engine=plan.spec.voice.engine,
                idempotency_key=idempotency_key,
                request_hash=digest, book=plan.tags.to_json() if plan.tags else None)
    try:
        reserve_characters(session, user.id, plan.length)
        session.add(task)
        session.flush()
        session.execute(insert(TaskChunk), [
            {"task_id": task.id, "index": job.index, "text": job.text, "language": job.language,
             "gap": job.gap, "text_offset": chunk.start, "context": job.context or None}
            for chunk, job in zip(plan.chunks, plan.jobs, strict=True)
        ])
        session.commit()
    except IntegrityError:  # the same key, submitted concurrently, won the race
        session.rollback()
        existing = _by_key(session, user, idempotency_key or "", digest)
        if existing is None:
            raise
        return existing, False
    return task, True


def get(session: Session, user: User, task_id: str) -> Task:
    """The caller's task; another user's task is as unknown as a missing one."""
    task = session.get(Task, task_id)
    if task is None or task.user_id != user.id:
        raise NotFound(f"task {task_id} not found")
    return task


def list_for(session: Session, user: User, status: TaskStatus | None, limit: int,
             offset: int) -> tuple[list[Task], int]:
    query = select(Task).where(Task.user_id == user.id)
    if status is not None:
        query = query.where(Task.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(query.order_by(Task.created_at.desc(), Task.id).limit(limit)
                           .offset(offset))
    return list(page), total


def cancel(session: Session, user: User, task_id: str) -> Task:
    """Stop a pending or running task and refund what it has not spoken."""
    task = get(session, user, task_id)
    stopped = session.execute(
        update(Task).where(Task.id == task.id, Task.status.in_(ACTIVE))
        .values(status=TaskStatus.cancelled, completed_at=utcnow())
    )
    if rowcount(stopped) != 1:
        raise Conflict(f"task {task_id} is {task.status}; only pending or processing tasks "
                       "can be cancelled")
    refund_unspoken(session, task)
    session.commit()
    session.refresh(task)
    return task


def fail(session: Session, task_id: str, message: str) -> None:
    task = session.get(Task, task_id)
    if task is None or task.status not in ACTIVE:
        return
    task.status, task.error, task.completed_at = TaskStatus.failed, message, utcnow()
    refund_undelivered(session, task)
    events.enqueue(session, task, events.FAILED)
    session.commit()


def refund_unspoken(session: Session, task: Task) -> None:
    """Give back the characters of every chunk not yet spoken (and the spaces between)."""
    spoken = session.scalar(
        select(func.coalesce(func.sum(func.length(TaskChunk.text)), 0))
        .where(TaskChunk.task_id == task.id, TaskChunk.status == ChunkStatus.done)
    ) or 0
    _refund(session, task, task.characters - spoken)


def refund_undelivered(session: Session, task: Task) -> None:
    """Give back every character: a failed task delivers no audio, whatever it spoke."""
    _refund(session, task, task.characters)


def _refund(session: Session, task: Task, owed: int) -> None:
    """Make what ``task`` has given back ``owed`` characters in all."""
    refund = max(0, owed - task.refunded_characters)
    task.refunded_characters += refund
    refund_characters(session, task.user_id, refund)


def describe(session: Session, task: Task, meter: ThroughputMeter) -> TaskView:
    options = task.synthesis_options
    done = task.status == TaskStatus.completed
    return TaskView(
        task_id=task.id,
        status=task.status,
        progress=100.0 if done else round(100 * task.chunks_completed / max(task.chunks_total, 1), 1),
        chunks_total=task.chunks_total,
        chunks_completed=task.chunks_completed,
        characters=task.characters,
        created_at=task.created_at,
        started_at=task.started_at,
        completed_at=task.completed_at,
        estimated_time_remaining=_eta(session, task, meter),
        error=task.error,
        audio_duration_seconds=round(task.audio_seconds, 3) if done else None,
        output=options.output_file.suffix.lstrip("."),
        voice_id=options.voice_id,
        model_id=options.model_id,
        verification=verification(session, task.id) if options.verify else None,
    )


def verification(session: Session, task_id: str) -> Verification:
    """How the chunks of ``task_id`` verified so far were heard."""
    heard = TaskChunk.word_error_rate.is_not(None)
    count, mean = session.execute(
        select(func.count(), func.coalesce(func.avg(TaskChunk.word_error_rate), 0.0))
        .where(TaskChunk.task_id == task_id, heard)).one()
    worst = session.scalars(
        select(TaskChunk).where(TaskChunk.task_id == task_id, heard,
                                TaskChunk.word_error_rate > 0)
        .order_by(TaskChunk.word_error_rate.desc(), TaskChunk.index).limit(WORST_CHUNKS))
    return Verification(chunks_verified=count, word_error_rate=round(float(mean), 4),
                        worst_chunks=[WorstChunk(index=chunk.index + 1, text=chunk.text,
                                                 heard=chunk.heard or "",
                                                 word_error_rate=chunk.word_error_rate or 0.0,
                                                 attempts=chunk.attempts or 1)
                                      for chunk in worst])


def estimate(session: Session, task: Task, meter: ThroughputMeter) -> float:
    """Seconds until ``task`` is done: its own work left plus the work queued ahead of it."""
    return meter.seconds_for(engine_of(task), meter.work_left(session, task),
                             _time_ahead(session, task, meter))


def _eta(session: Session, task: Task, meter: ThroughputMeter) -> float | None:
    if task.status not in ACTIVE:
        return 0.0 if task.status == TaskStatus.completed else None
    return estimate(session, task, meter)


def _time_ahead(session: Session, task: Task, meter: ThroughputMeter) -> float:
    if task.status != TaskStatus.pending:
        return 0.0
    ahead = session.scalars(select(Task).where(Task.status.in_(ACTIVE),
                                               Task.created_at < task.created_at))
    return sum(meter.busy(session, other) for other in ahead)


def _by_key(session: Session, user: User, key: str, digest: str) -> Task | None:
    task = session.scalar(select(Task).where(Task.user_id == user.id,
                                             Task.idempotency_key == key))
    if task is not None and task.request_hash != digest:
        raise IdempotencyMismatch(f"Idempotency-Key {key!r} was used with a different request body")
    return task


def _request_hash(text: str, options: SynthesisOptions) -> str:
    body = json.dumps({"text": text, "options": options.model_dump(mode="json")}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()
