"""Runners decide where tasks execute. The embedded runner: a thread in the
server process that feeds a pool of local worker processes, oldest task first.

The queue is the database itself: a task is pending or processing until it
ends, so a restarted server finds and resumes every unfinished task.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import case, select

from voicer.db import Database
from voicer.db.models import ACTIVE, Task, TaskStatus
from voicer.pipeline.workers import EngineFactory, WorkerPool, default_engine
from voicer.tasks.execute import TaskExecutor

log = logging.getLogger("voicer.runner")

ExecutorFactory = Callable[[WorkerPool], TaskExecutor]
_IDLE_WAIT = 1.0  # seconds between looks at the queue when nothing wakes the runner


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
        executor.run(task_id, self._stopping.is_set)

    def _next_task(self) -> str | None:
        """Resume interrupted tasks first, then the oldest pending one."""
        resumed_first = case((Task.status == TaskStatus.processing, 0), else_=1)
        with self.database.session() as session:
            return session.scalar(select(Task.id).where(Task.status.in_(ACTIVE))
                                  .order_by(resumed_first, Task.created_at).limit(1))
