"""Runners decide where tasks execute. The embedded runner: threads in the server
process, one feeding a pool of local worker processes (every local engine of the registry),
and, when an ElevenLabs upstream is configured, one lane per upstream request the cap allows.

The queue is the database itself: a task is pending or processing until it
ends, so a restarted server finds and resumes every unfinished task. Tasks take
turns: while others wait, a task runs for a slice of chunks and then goes to the
back of the line, so a short task is never stuck behind a book. Local and upstream
tasks have lines of their own: a book read by an ElevenLabs voice, which waits on
the network, never holds up the local engine, and several upstream tasks speak at
once up to the cap.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select

from voicer.db import Database
from voicer.db.tables import ACTIVE, Task
from voicer.engines.registry import EngineRegistry
from voicer.pipeline.pool import WorkerPool
from voicer.tasks.execute import TaskExecutor

log = logging.getLogger("voicer.runner")

# A task executor around the local pool; None for a lane that speaks upstream voices only.
ExecutorFactory = Callable[[WorkerPool | None], TaskExecutor]
# which engine speaks a task, by the engine stored with it and its options
EngineOf = Callable[[str | None, dict[str, Any]], str]
_IDLE_WAIT = 1.0  # seconds between looks at the queue when nothing wakes the runner
# Chunks per worker a task speaks before it lets a waiting task have its turn: the pool
# runs dry at each turn, so turns are long enough to keep that cost to a few percent.
SLICE_PER_WORKER = 8


class TaskRunner(Protocol):
    def start(self) -> None: ...
    def wake(self) -> None:
        """A task was submitted or cancelled: look at the queue now."""
        ...
    def stop(self) -> None: ...


@dataclass
class _Lane:
    """A thread that runs the tasks of some engines, one turn at a time."""

    engines: frozenset[str]
    turn: int  # chunks a task speaks before a waiting task of the same engine gets its turn
    wake: threading.Event = field(default_factory=threading.Event)


class EmbeddedRunner:
    def __init__(self, database: Database, processes: int, executor: ExecutorFactory,
                 engines: EngineRegistry, engine_of: EngineOf) -> None:
        self.database = database
        self.processes = processes
        self.engines = engines
        self._make_executor = executor
        self._engine_of = engine_of
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._running: set[str] = set()  # tasks a lane is running now
        self._served: dict[str, float] = {}  # task id -> when its last turn began
        local = _Lane(engines.pooled, SLICE_PER_WORKER * processes)
        remote = engines.remote
        self._lanes = [local] + ([] if remote is None else [
            _Lane(frozenset([remote.name]), SLICE_PER_WORKER) for _ in range(remote.concurrency)])
        self._threads = [threading.Thread(target=self._local, args=(local,), daemon=True,
                                          name="voicer-runner")]
        self._threads += [threading.Thread(target=self._upstream, args=(lane,), daemon=True,
                                           name=f"voicer-upstream-{number}")
                          for number, lane in enumerate(self._lanes[1:])]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        for lane in self._lanes:
            lane.wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout=30)

    def _local(self, lane: _Lane) -> None:
        while not self._stopping.is_set():
            with WorkerPool(self.processes, self.engines.workers()) as pool:
                executor = self._make_executor(pool)
                # a pool that lost a worker is replaced; its task failed and was refunded
                while pool.healthy and not self._stopping.is_set():
                    self._guarded_step(executor, lane)

    def _upstream(self, lane: _Lane) -> None:
        executor = self._make_executor(None)
        while not self._stopping.is_set():
            self._guarded_step(executor, lane)

    def _guarded_step(self, executor: TaskExecutor, lane: _Lane) -> None:
        try:
            self._step(executor, lane)
        except Exception:  # a database outage must not end the runner
            log.exception("task runner step failed; retrying")
            self._stopping.wait(_IDLE_WAIT)

    def _step(self, executor: TaskExecutor, lane: _Lane) -> None:
        task_id = self._take(lane.engines)
        if task_id is None:
            lane.wake.wait(_IDLE_WAIT)
            lane.wake.clear()
            return
        try:
            others = threading.Event()  # another task of this engine waits for its turn
            if self._waiting(lane.engines):
                others.set()

            def should_pause(done: int) -> bool:
                if self._stopping.is_set():
                    return True
                if done < lane.turn:
                    return False
                if lane.wake.is_set():  # something was submitted meanwhile
                    lane.wake.clear()
                    if self._waiting(lane.engines):
                        others.set()
                return others.is_set()

            executor.run(task_id, should_pause)
        finally:
            with self._lock:
                self._running.discard(task_id)

    def _take(self, engines: frozenset[str]) -> str | None:
        """The waiting task of ``engines`` whose last turn is oldest (never served ones first,
        oldest first), marked as running."""
        waiting = self._waiting(engines)
        with self._lock:
            waiting = [task for task in waiting if task not in self._running]
            chosen = min(waiting, key=lambda task: self._served.get(task, 0.0), default=None)
            if chosen is not None:
                self._running.add(chosen)
                self._served[chosen] = time.monotonic()
        return chosen

    def _waiting(self, engines: frozenset[str]) -> list[str]:
        """Active tasks of ``engines`` that no lane is running, oldest first."""
        with self.database.session() as session:
            active = session.execute(select(Task.id, Task.engine, Task.options)
                                     .where(Task.status.in_(ACTIVE))
                                     .order_by(Task.created_at)).all()
        mine = [task_id for task_id, stored, options in active
                if self._engine_of(stored, options) in engines]
        with self._lock:
            ids = {task_id for task_id, _, _ in active}
            self._served = {task: when for task, when in self._served.items() if task in ids}
            return [task_id for task_id in mine if task_id not in self._running]
