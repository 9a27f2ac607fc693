"""Following tasks as they run: for event streams, and status requests that wait.

However many streams and waiting requests follow tasks, they share one look at the database
every ``interval`` seconds, made in a short session of its own from one thread: they hold no
connection and no thread between looks, and 500 of them cost what one does.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing, contextmanager

import anyio
from anyio import to_thread
from sqlalchemy import select

from voicer.db import Database
from voicer.db.tables import ACTIVE, Task, User
from voicer.tasks import service as tasks
from voicer.tasks.service import TaskView
from voicer.tasks.throughput import ThroughputMeter

LOOK_INTERVAL = 0.5  # seconds between looks at the followed tasks
_IDS_PER_QUERY = 500  # well inside every database's limit on bound parameters


class TaskWatch:
    def __init__(self, database: Database, meter: ThroughputMeter, wait_seconds: float,
                 interval: float = LOOK_INTERVAL) -> None:
        self.interval = interval
        self._database = database
        self._meter = meter
        self._wait_seconds = wait_seconds
        self._followers: Counter[str] = Counter()
        self._views: dict[str, TaskView] = {}
        self._looked_at = -math.inf
        self._lock = asyncio.Lock()  # one look at a time; the others use what it saw

    def view(self, user: User, task_id: str) -> TaskView:
        """The caller's task now (``NotFound`` for another's), from a session of its own."""
        with self._database.session() as session:
            return tasks.describe(session, tasks.get(session, user, task_id), self._meter)

    async def settle(self, user: User, task_id: str, wait: float | None) -> TaskView:
        """The caller's task, once it has ended if it does so within ``wait`` seconds.

        With ``wait`` None, a task expected to end within the configured wait is waited for
        that long, and any other is answered at once.
        """
        view = await to_thread.run_sync(self.view, user, task_id)
        bound = self._wait_seconds if wait is None else wait
        expected = view.estimated_time_remaining
        if view.status not in ACTIVE or bound <= 0 or (
                wait is None and (expected is None or expected > bound)):
            return view
        with anyio.move_on_after(bound):
            async with aclosing(self.looks(task_id)) as looks:
                async for seen in looks:
                    view = seen  # the last: of the task ended, or the newest when time is up
        return view

    async def looks(self, task_id: str) -> AsyncGenerator[TaskView]:
        """The task at each look, until it ends (its last state included) or is gone."""
        with self._following(task_id):
            while (view := await self._latest(task_id)) is not None:
                yield view
                if view.status not in ACTIVE:
                    return
                await anyio.sleep(self.interval)

    @contextmanager
    def _following(self, task_id: str) -> Iterator[None]:
        self._followers[task_id] += 1
        try:
            yield
        finally:
            self._followers[task_id] -= 1
            if self._followers[task_id] <= 0:
                del self._followers[task_id]
                self._views.pop(task_id, None)

    async def _latest(self, task_id: str) -> TaskView | None:
        """The task as the newest look saw it; every followed task is looked at again once that
        look is ``interval`` old, and a task newly followed is looked at alone at once."""
        async with self._lock:
            if time.monotonic() - self._looked_at >= self.interval:
                self._views = await to_thread.run_sync(self._look, list(self._followers))
                self._looked_at = time.monotonic()
            elif task_id not in self._views:
                self._views.update(await to_thread.run_sync(self._look, [task_id]))
        return self._views.get(task_id)

    def _look(self, task_ids: list[str]) -> dict[str, TaskView]:
        views: dict[str, TaskView] = {}
        with self._database.session() as session:
            for start in range(0, len(task_ids), _IDS_PER_QUERY):
                batch = task_ids[start:start + _IDS_PER_QUERY]
                for task in session.scalars(select(Task).where(Task.id.in_(batch))):
                    views[task.id] = tasks.describe(session, task, self._meter)
        return views
