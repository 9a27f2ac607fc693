"""Worker processes, one engine each, rendering chunk jobs in parallel.

libespeak-ng is one global instance per process and not thread-safe, so
parallelism comes from processes. Its output also depends on what it spoke
before (wave generator state), so each worker loads the engine once and then
renders every chunk in a fork of that pristine state: a chunk sounds the same,
to the sample, whichever worker renders it, in whatever order, after a restart.
A crash while rendering takes down only that fork.

A worker process belongs to its pool: it ignores SIGINT and SIGTERM, which a
terminal's Ctrl-C or a service manager sends to the whole process group, and
ends when the pool closes it or its pool's process is gone. So stopping Voicer
lets the chunks in flight finish instead of failing their tasks.

Results come back in job order, with a bounded number of jobs in flight, so
memory does not grow with the text.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import TracebackType

from voicer.engines import Engine, EngineFactory
from voicer.engines.registry import WorkerEngines
from voicer.errors import EngineError, VoicerError
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.pipeline.render import RenderedChunk, Renderer, SpokenPiece

log = logging.getLogger("voicer.workers")

# What a caller is told of an unexpected error in a worker; its traceback goes to the log.
INTERNAL_ERROR = "an internal error in the speech engine stopped it (the server log has the details)"
Result = RenderedChunk | SpokenPiece
_POLL_SECONDS = 0.5
# Synthesis is batch work: at niceness 10 it yields the CPU to the API process that started it, so
# polls and streams stay quick while a long job keeps every core busy.
_NICENESS = 10


@dataclass(frozen=True, slots=True)
class _Failure:
    index: int
    message: str


def default_engine() -> Engine:
    from voicer.engines.espeak import EspeakEngine

    return EspeakEngine()


def _work(engines: WorkerEngines, connection: Connection, parent: int) -> None:
    """A worker process: load its engines, then render each job in a fork of them."""
    for stop in (signal.SIGINT, signal.SIGTERM):  # the pool decides when this process ends
        signal.signal(stop, signal.SIG_IGN)
    os.nice(_NICENESS)
    renderer = Renderer(engines.load())
    while os.getppid() == parent:  # exit when the pool's process is gone (even killed)
        if not connection.poll(_POLL_SECONDS):
            continue
        order = connection.recv()
        if order is None:
            return
        spec, job = order
        if not _prepare(renderer, spec, job, connection):
            continue
        child = os.fork()
        if child == 0:
            _render_once(renderer, spec, job, connection)
        _, status = os.waitpid(child, 0)
        if status != 0:
            connection.send(_Failure(job.index, f"the engine crashed ({_describe(status)})"))


def _prepare(renderer: Renderer, spec: RenderSpec, job: ChunkJob,
             connection: Connection) -> bool:
    """Load the job's model here, before the fork, so every fork starts from it; False (and
    the caller told why) if it cannot be loaded."""
    try:
        renderer.prepare(spec, job)
    except VoicerError as error:
        connection.send(_Failure(job.index, error.message))
        return False
    except Exception:
        log.exception("chunk %d: its engine could not be loaded", job.index + 1)
        connection.send(_Failure(job.index, INTERNAL_ERROR))
        return False
    return True


def _render_once(renderer: Renderer, spec: RenderSpec, job: ChunkJob,
                 connection: Connection) -> None:
    """In the fork: render, send the result, and leave without any clean-up."""
    try:
        connection.send(renderer.render(spec, job) if spec.output else renderer.speak(spec, job))
    except VoicerError as error:
        connection.send(_Failure(job.index, error.message))
    except Exception:  # report, never hang the pool; the details are for the log, not the caller
        log.exception("chunk %d failed in the engine worker", job.index + 1)
        connection.send(_Failure(job.index, INTERNAL_ERROR))
    finally:
        os._exit(0)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


class WorkerPool:
    """A fixed set of worker processes; a context manager.

    ``engines`` are what each process loads: the registry's ``workers()``, or one factory
    whose engine speaks the bundled voices (espeak-ng's, or a stand-in's in tests).
    """

    def __init__(self, processes: int,
                 engines: WorkerEngines | EngineFactory = default_engine) -> None:
        loaded = engines if isinstance(engines, WorkerEngines) else WorkerEngines.only(engines)
        context = multiprocessing.get_context("spawn")
        self._connections: list[Connection] = []
        self._processes: list[BaseProcess] = []
        for i in range(processes):
            ours, theirs = context.Pipe()
            process = context.Process(target=_work, args=(loaded, theirs, os.getpid()),
                                      daemon=True, name=f"voicer-worker-{i}")
            process.start()
            theirs.close()
            self._connections.append(ours)
            self._processes.append(process)
        self._idle = list(self._connections)

    @property
    def size(self) -> int:
        return len(self._processes)

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self._processes if process.pid is not None]

    @property
    def healthy(self) -> bool:
        return all(process.is_alive() for process in self._processes)

    def render(self, spec: RenderSpec, jobs: Iterable[ChunkJob]) -> Iterator[RenderedChunk]:
        """Render ``jobs`` into MP3 segments in parallel; yield them in the order of the jobs."""
        assert spec.output is not None
        for result in self._run(spec, jobs):
            assert isinstance(result, RenderedChunk)
            yield result

    def speak(self, spec: RenderSpec, jobs: Iterable[ChunkJob]) -> Iterator[SpokenPiece]:
        """Speak ``jobs`` into PCM in parallel; yield them in the order of the jobs."""
        assert spec.output is None
        for result in self._run(spec, jobs):
            assert isinstance(result, SpokenPiece)
            yield result

    def _run(self, spec: RenderSpec, jobs: Iterable[ChunkJob]) -> Iterator[Result]:
        window = 2 * self.size + 2  # jobs in flight or finished but not yet yielded
        pending = iter(jobs)
        order: list[int] = []
        sent: dict[int, float] = {}  # when each job in flight was handed to its worker
        done: dict[int, Result] = {}
        position = 0
        try:
            while True:
                while self._idle and len(order) - position < window:
                    job = next(pending, None)
                    if job is None:
                        break
                    self._send(self._idle.pop(), (spec, job))
                    order.append(job.index)
                    sent[job.index] = time.perf_counter()
                if position == len(order):
                    return
                while order[position] not in done:
                    result = self._receive()
                    if isinstance(result, _Failure):
                        raise EngineError(f"chunk {result.index + 1}: {result.message}")
                    taken = time.perf_counter() - sent.pop(result.index)
                    done[result.index] = (replace(result, wall=taken)
                                          if isinstance(result, RenderedChunk) else result)
                yield done.pop(order[position])
                position += 1
        finally:
            self._drain()

    def _send(self, connection: Connection, order: tuple[RenderSpec, ChunkJob]) -> None:
        try:
            connection.send(order)
        except OSError:  # the worker's end is closed: it died
            self._idle.append(connection)
            raise EngineError("a synthesis worker process died") from None

    def _receive(self) -> Result | _Failure:
        """The next result from any busy worker."""
        busy = [c for c in self._connections if c not in self._idle]
        while True:
            ready = wait(busy, timeout=_POLL_SECONDS)
            if ready:
                connection = ready[0]
                assert isinstance(connection, Connection)
                try:
                    result: Result | _Failure = connection.recv()
                except (EOFError, OSError):
                    raise EngineError("a synthesis worker process died") from None
                self._idle.append(connection)
                return result
            if not self.healthy:
                raise EngineError("a synthesis worker process died")

    def _drain(self) -> None:
        """Collect what is still in flight after an early stop, so the pool can be reused."""
        try:
            while len(self._idle) < len(self._connections):
                self._receive()
        except EngineError:
            pass  # a dead worker: nothing more will come from it

    def close(self) -> None:
        for connection in self._connections:
            with contextlib.suppress(OSError):  # that worker may be gone already
                connection.send(None)
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        for connection in self._connections:
            connection.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
