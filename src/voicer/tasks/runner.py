"""Runners decide where tasks execute. The embedded runner: a thread in the
server process that feeds a pool of local worker processes.

The queue is the database itself: a task is pending or processing until it
ends, so a restarted server finds and resumes every unfinished task. Tasks take
turns: while others wait, a task runs for a slice of chunks and then goes to the
back of the line, so a short task is never stuck behind a book.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import select

from voicer.db import Database
from voicer.db.models import ACTIVE, Task
from voicer.pipeline.workers import EngineFactory, WorkerPool, default_engine
from voicer.tasks.execute import TaskExecutor

log = logging.getLogger("voicer.runner")

ExecutorFactory = Callable[[WorkerPool], TaskExecutor]
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


class EmbeddedRunner:
    def __init__(self, database: Database, processes: int, executor: ExecutorFactory,
                 engine: EngineFactory = default_engine) -> None:
        self.database = database
        self.processes = processes
        self.engine = engine
        self._make_executor = executor
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._served: dict[str, float] = {}  # task id -> when its last turn began
        self._thread = threading.Thread(target=self._loop, name="voicer-runner", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            with WorkerPool(self.processes, self.engine) as pool:
                executor = self._make_executor(pool)
                # a pool that lost a worker is replaced; its task failed and was refunded
                while pool.healthy and not self._stopping.is_set():
                    try:
                        self._step(executor)
                    except Exception:  # a database outage must not end the runner
                        log.exception("task runner step failed; retrying")
                        self._stopping.wait(_IDLE_WAIT)

    def _step(self, executor: TaskExecutor) -> None:
        task_id = self._next_task()
        if task_id is None:
            self._wake.wait(_IDLE_WAIT)
            self._wake.clear()
            return
        self._served[task_id] = time.monotonic()
        others = self._others_waiting(task_id)
        turn = SLICE_PER_WORKER * self.processes

        def should_pause(done: int) -> bool:
            if self._stopping.is_set():
                return True
            if done < turn:
                return False
            if self._wake.is_set():  # something was submitted meanwhile
                self._wake.clear()
                others.set()
            return others.is_set()

        executor.run(task_id, should_pause)

    def _next_task(self) -> str | None:
        """The active task whose last turn is oldest; never served ones first, oldest first."""
        with self.database.session() as session:
            active = session.scalars(select(Task.id).where(Task.status.in_(ACTIVE))
                                     .order_by(Task.created_at)).all()
        self._served = {task: when for task, when in self._served.items() if task in active}
        return min(active, key=lambda task: self._served.get(task, 0.0), default=None)

    def _others_waiting(self, task_id: str) -> threading.Event:
        """Set when another active task exists, as seen when this turn begins."""
        waiting = threading.Event()
        with self.database.session() as session:
            if session.scalar(select(Task.id).where(Task.status.in_(ACTIVE), Task.id != task_id)
                              .limit(1)):
                waiting.set()
        return waiting
