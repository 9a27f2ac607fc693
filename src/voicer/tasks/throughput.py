"""How fast the service speaks, measured, for estimated times.

Work is counted in seconds of speech (``pipeline/workload.py``), which cost the same to
synthesize and encode in every script, so a speed measured on English predicts Russian, emoji or
combining marks too. The meter measures one worker's speed: each chunk's work over the time from
handing it to a worker to having it back. An estimate lays a task's chunks out on the workers
as the pool hands them out, each to the first worker free, so a task of one long chunk, which
only one worker can speak, is not promised the speed of the whole pool.
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from collections.abc import Collection, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from voicer.db import Database
from voicer.db.tables import Task, TaskChunk, TaskStatus
from voicer.pipeline.workload import chunk_work, rendered_work

# Until something is measured: seconds of speech one worker makes per second, from the core
# benchmark (100,000 characters, 5,761 s of audio in 30.2 s: 191x realtime), rounded down.
PRIOR_PER_WORKER = 150.0
_WEIGHT = 0.2  # of the newest chunk in the moving sums
_HISTORY = 20  # recent completed tasks whose speed seeds the meter at start-up
_REMEMBERED = 1024  # tasks whose chunks' work is kept, newest first


class ThroughputMeter:
    """One worker's speed, in seconds of speech per second: moving sums of chunks' work and
    time, so a chunk that took long weighs more than one that was quick."""

    def __init__(self, initial: float, workers: int = 1) -> None:
        self.workers = workers
        self._work, self._seconds = initial, 1.0  # as if one second at ``initial`` was measured
        self._lock = threading.Lock()
        self._tasks: OrderedDict[str, tuple[float, ...]] = OrderedDict()

    @classmethod
    def seeded(cls, database: Database, workers: int, pooled: Collection[str]) -> ThroughputMeter:
        """A meter starting from the speed of the most recent completed tasks of the ``pooled``
        engines (those spoken in worker processes), or the prior."""
        with database.session() as session:
            return cls(measured_rate(session, workers, pooled) or PRIOR_PER_WORKER, workers)

    @property
    def rate(self) -> float:
        return self._work / self._seconds

    def record(self, work: float, seconds: float) -> None:
        """One chunk: its work, and the seconds from handing it to a worker to having it back."""
        if work <= 0 or seconds <= 0:
            return
        with self._lock:
            self._work += _WEIGHT * (work - self._work)
            self._seconds += _WEIGHT * (seconds - self._seconds)

    def seconds_for(self, chunks: Sequence[float], ahead: float = 0.0) -> float:
        """Seconds until the workers have spoken ``chunks`` (their work, in order), after
        ``ahead`` work shared among them."""
        free = [ahead / self.workers] * self.workers  # when each worker is free, in work
        for work in chunks:
            heapq.heapreplace(free, free[0] + work)
        return max(0.1, round(max(free) / self.rate, 1))

    def work_left(self, session: Session, task: Task) -> tuple[float, ...]:
        """The work of each of ``task``'s chunks not done yet. Chunks finish in about their
        order, so the last ones are taken to be those left."""
        return self._works(session, task)[task.chunks_completed:]

    def _works(self, session: Session, task: Task) -> tuple[float, ...]:
        """Each chunk's work, estimated from its text once and remembered."""
        with self._lock:
            if task.id in self._tasks:
                return self._tasks[task.id]
        speed = task.synthesis_options.voice_settings.speed
        rows = session.execute(select(TaskChunk.text, TaskChunk.gap)
                               .where(TaskChunk.task_id == task.id).order_by(TaskChunk.index))
        works = tuple(chunk_work(text, gap, speed) for text, gap in rows)
        with self._lock:
            self._tasks[task.id] = works
            while len(self._tasks) > _REMEMBERED:
                self._tasks.popitem(last=False)
        return works


def measured_rate(session: Session, workers: int, pooled: Collection[str]) -> float | None:
    """One worker's speed over the most recent completed tasks of the ``pooled`` engines."""
    recent = (select(Task.id, Task.started_at, Task.completed_at, Task.chunks_total)
              .where(Task.status == TaskStatus.completed, Task.started_at.is_not(None),
                     or_(Task.engine.is_(None), Task.engine.in_(sorted(pooled))))
              .order_by(Task.completed_at.desc()).limit(_HISTORY).subquery())
    rows = session.execute(
        select(recent.c.started_at, recent.c.completed_at, recent.c.chunks_total,
               func.coalesce(func.sum(TaskChunk.speech), 0.0),
               func.coalesce(func.sum(TaskChunk.duration), 0.0), func.count())
        .join(TaskChunk, TaskChunk.task_id == recent.c.id)
        .group_by(recent.c.id, recent.c.started_at, recent.c.completed_at, recent.c.chunks_total)
    ).all()
    work = busy = 0.0
    for started, completed, chunks, speech, duration, rendered in rows:
        if started is None or completed is None:
            continue
        work += rendered_work(float(speech), float(duration), rendered)
        # a task's chunks kept at most this many workers busy
        busy += (completed - started).total_seconds() * min(workers, max(chunks, 1))
    return work / busy if work > 0 and busy > 0 else None
