"""How fast the service speaks, measured per engine, for estimated times.

Work is counted in seconds of speech (``pipeline/workload.py``), which cost the same to
synthesize and encode in every script, so a speed measured on English predicts Russian, emoji or
combining marks too. Engines differ by an order of magnitude (espeak-ng makes ≈ 190 seconds of
speech a second, hibari ≈ 85, Piper ≈ 14), so the meter keeps one speed per engine: each
chunk's work over the time from handing it to a worker to having it back, recorded under the
engine that spoke it. Until an engine has spoken, its registration's prior stands in, scaled
by how the engines that have spoken compare with their own priors: a machine twice as busy as
the one the priors were measured on is so for every engine.
An estimate lays a task's chunks out on the workers as the pool hands them out, each to the
first worker free, so a task of one long chunk, which only one worker can speak, is not promised
the speed of the whole pool; the tasks queued ahead count at their own engines' speeds.
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from voicer.db import Database
from voicer.db.tables import Task, TaskChunk, TaskStatus
from voicer.engines.registry import DEFAULT_SPEED
from voicer.models import LOCAL_ENGINE
from voicer.pipeline.workload import chunk_work, rendered_work

# Until something is measured, for an engine without a speed of its own (the upstream).
PRIOR_PER_WORKER = DEFAULT_SPEED
_WEIGHT = 0.2  # of the newest chunk in the moving sums
_HISTORY = 20  # recent completed tasks whose speed seeds the meter at start-up
_REMEMBERED = 1024  # tasks whose chunks' work is kept, newest first


class _Speed:
    """Moving sums of chunks' work and time, so a chunk that took long weighs more than one
    that was quick."""

    def __init__(self, initial: float) -> None:
        self.prior = initial
        self.work, self.seconds = initial, 1.0  # as if one second at ``initial`` was measured
        self.measured = False

    @property
    def rate(self) -> float:
        return self.work / self.seconds

    def record(self, work: float, seconds: float, weight: float) -> None:
        self.work += weight * (work - self.work)
        self.seconds += weight * (seconds - self.seconds)
        self.measured = True


class ThroughputMeter:
    """One worker's speed with each engine, in seconds of speech per second."""

    def __init__(self, priors: Mapping[str, float], workers: int = 1,
                 default: float = PRIOR_PER_WORKER) -> None:
        self.workers = workers
        self._default = default  # for an engine without a prior (the upstream)
        self._speeds = {engine: _Speed(prior) for engine, prior in priors.items()}
        self._lock = threading.Lock()
        self._tasks: OrderedDict[str, tuple[float, ...]] = OrderedDict()

    @classmethod
    def seeded(cls, database: Database, workers: int,
               priors: Mapping[str, float]) -> ThroughputMeter:
        """A meter starting, for each engine of ``priors`` (those spoken in worker processes),
        from the speed of its most recent completed tasks, or from its prior."""
        meter = cls(priors, workers)
        with database.session() as session:
            for engine in priors:
                measured = measured_rate(session, workers, engine)
                if measured is not None:
                    meter.record(engine, measured, 1.0, weight=1.0)
        return meter

    def rate(self, engine: str = LOCAL_ENGINE) -> float:
        """``engine``'s speed as measured; not measured yet, its prior as the machine allows."""
        with self._lock:
            speed = self._speeds.get(engine)
            if speed is None:  # no prior, nothing measured: not a worker's engine (the upstream)
                return self._default
            return speed.rate if speed.measured else speed.prior * self._machine()

    def _machine(self) -> float:
        """How the engines measured so far compare with their priors (1: as the priors say)."""
        ratios = [speed.rate / speed.prior for speed in self._speeds.values() if speed.measured]
        return sum(ratios) / len(ratios) if ratios else 1.0

    def record(self, engine: str, work: float, seconds: float, weight: float = _WEIGHT) -> None:
        """One chunk ``engine`` spoke: its work, and the seconds from handing it to a worker
        to having it back."""
        if work <= 0 or seconds <= 0:
            return
        with self._lock:
            self._speeds.setdefault(engine, _Speed(self._default)).record(work, seconds, weight)

    def seconds_for(self, engine: str, chunks: Sequence[float], ahead: float = 0.0) -> float:
        """Seconds until the workers have spoken ``chunks`` (their work, in order) with
        ``engine``, after ``ahead`` seconds of one worker's time shared among them."""
        rate = self.rate(engine)
        free = [ahead / self.workers] * self.workers  # when each worker is free, in seconds
        for work in chunks:
            heapq.heapreplace(free, free[0] + work / rate)
        return max(0.1, round(max(free), 1))

    def busy(self, session: Session, task: Task) -> float:
        """Seconds of one worker's time ``task``'s unfinished chunks still need."""
        return sum(self.work_left(session, task)) / self.rate(engine_of(task))

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


def engine_of(task: Task) -> str:
    """The engine that speaks ``task`` (one accepted before tasks kept theirs: espeak-ng)."""
    return task.engine or LOCAL_ENGINE


def measured_rate(session: Session, workers: int, engine: str) -> float | None:
    """One worker's speed with ``engine`` over its most recent completed tasks."""
    spoken_by = Task.engine == engine
    if engine == LOCAL_ENGINE:
        spoken_by = or_(spoken_by, Task.engine.is_(None))
    recent = (select(Task.id, Task.started_at, Task.completed_at, Task.chunks_total)
              .where(Task.status == TaskStatus.completed, Task.started_at.is_not(None), spoken_by)
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
