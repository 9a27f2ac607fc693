"""Worker processes, one engine each, rendering chunk jobs in parallel.

libespeak-ng is one global instance per process and not thread-safe, so
parallelism comes from processes. Results come back in job order, with at
most ``window`` jobs in flight, so memory does not grow with the text.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any

from voicer.engines import Engine
from voicer.errors import EngineError, VoicerError
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.pipeline.render import RenderedChunk, Renderer

EngineFactory = Callable[[], Engine]
_POLL_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class _Failure:
    index: int
    message: str


def default_engine() -> Engine:
    from voicer.engines.espeak import EspeakEngine

    return EspeakEngine()


def _orders(jobs: Any, parent: int) -> Iterator[tuple[RenderSpec, ChunkJob]]:
    """Jobs until the pool says stop, or until the parent process is gone (killed)."""
    while os.getppid() == parent:
        try:
            item = jobs.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            continue
        if item is None:
            return
        yield item


def _work(make_engine: EngineFactory, jobs: Any, results: Any, parent: int) -> None:
    """A worker process: build one engine, then render jobs until told to stop."""
    renderer = Renderer(make_engine())
    for spec, job in _orders(jobs, parent):
        try:
            results.put(renderer.render(spec, job))
        except VoicerError as error:
            results.put(_Failure(job.index, error.message))
        except Exception as error:  # report, never hang the parent
            results.put(_Failure(job.index, f"{type(error).__name__}: {error}"))


class WorkerPool:
    """A fixed set of worker processes; a context manager."""

    def __init__(self, processes: int, make_engine: EngineFactory = default_engine) -> None:
        context = multiprocessing.get_context("spawn")
        self._jobs = context.Queue()
        self._results = context.Queue()
        self._processes: list[BaseProcess] = [
            context.Process(target=_work, args=(make_engine, self._jobs, self._results, os.getpid()),
                            daemon=True, name=f"voicer-worker-{i}")
            for i in range(processes)
        ]
        for process in self._processes:
            process.start()

    @property
    def size(self) -> int:
        return len(self._processes)

    def render(self, spec: RenderSpec, jobs: Iterable[ChunkJob]) -> Iterator[RenderedChunk]:
        """Render ``jobs`` in parallel and yield the results in the order of the jobs."""
        pending = iter(jobs)
        order: deque[int] = deque()
        done: dict[int, RenderedChunk] = {}
        in_flight = 0
        try:
            for job in itertools.islice(pending, 2 * self.size + 2):
                self._jobs.put((spec, job))
                order.append(job.index)
                in_flight += 1
            while order:
                while order[0] not in done:
                    result = self._receive()
                    in_flight -= 1
                    if isinstance(result, _Failure):
                        raise EngineError(f"chunk {result.index + 1}: {result.message}")
                    done[result.index] = result
                yield done.pop(order.popleft())
                for job in itertools.islice(pending, 1):
                    self._jobs.put((spec, job))
                    order.append(job.index)
                    in_flight += 1
        finally:
            self._drain(in_flight)

    def _drain(self, in_flight: int) -> None:
        """Collect what is still in flight after an early stop, so the pool can be reused."""
        try:
            for _ in range(in_flight):
                self._receive()
        except EngineError:
            pass  # a dead worker: nothing more will come

    def _receive(self) -> RenderedChunk | _Failure:
        while True:
            try:
                result: RenderedChunk | _Failure = self._results.get(timeout=_POLL_SECONDS)
                return result
            except queue.Empty:
                if not all(process.is_alive() for process in self._processes):
                    raise EngineError("a synthesis worker process died") from None

    def close(self) -> None:
        for _ in self._processes:
            self._jobs.put(None)
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        self._jobs.close()
        self._results.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
