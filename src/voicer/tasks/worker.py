"""``voicer worker``: Dramatiq worker processes that speak the chunks API nodes enqueue, hear
the pieces of their recognition tasks (with the Whisper model, loaded on the first), and make
their dubbing projects and renders (``voicer.dubbing.tasks``, as an API node without a broker
makes them).

Each process opens the runtime an API node opens (``voicer.runtime``: database, storage,
voices, the upstream when configured) and one single-worker engine pool per thread, so a
chunk is rendered exactly as the embedded runner renders it, bit for bit. The
supervising process restarts a worker process that dies.

A stop (SIGTERM or SIGINT) lets the chunks in flight finish for ``VOICER_WORKER_STOP_TIMEOUT``
seconds; the processes then close and exit within a few seconds more, whether or not Redis and
the database can still be reached.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import dramatiq

from voicer.dubbing.tasks import DubbingTasks
from voicer.engines import EngineFactory
from voicer.engines.registry import LocalEngine
from voicer.errors import VoicerError
from voicer.pipeline.pool import WorkerPool, default_engine
from voicer.recognition.listener import Listener
from voicer.recognition.pieces import Pieces
from voicer.runtime import Runtime, open_database
from voicer.settings import Settings
from voicer.speech import SpeechPool
from voicer.storage import Storage
from voicer.tasks import service
from voicer.tasks.queue import (
    ACTOR,
    DUB,
    DUBBING_GIVEN_UP,
    GIVEN_UP,
    HEAR,
    HEARING_GIVEN_UP,
    QUEUE,
    RENDER,
    make_broker,
    message,
)
from voicer.tasks.throughput import ThroughputMeter

log = logging.getLogger("voicer.worker")
_CHUNK_TIME_LIMIT_MS = 60 * 60 * 1000  # one chunk of 40,000 characters over a slow upstream
# A chunk that raises (storage or database away, the time limit) is tried again after 1, 2, 4…
# up to 30 seconds, eight tries in all (one to two minutes); then its task fails with the reason.
_CHUNK_RETRIES: dict[str, Any] = {"max_retries": 7, "min_backoff": 1_000, "max_backoff": 30_000,
                                  "on_retry_exhausted": GIVEN_UP}
# A stopping worker process has this long to close its pools and connections, after its chunks;
# the supervisor kills one still running a little later.
_CLOSE_SECONDS = 5.0
_KILL_AFTER = 2.0


class ChunkWorker:
    """One worker process: a Dramatiq worker whose actor speaks one chunk per message."""

    def __init__(self, settings: Settings, engine: EngineFactory = default_engine,
                 engines: Sequence[LocalEngine] = ()) -> None:
        self.settings = settings
        # `serve` migrated it, once; the engines must be those the API nodes register
        self.runtime = Runtime.open(settings, migrate=False, engine=engine, engines=engines)
        self.meter = ThroughputMeter({})  # estimates are made by the API nodes
        # an assembly is presumed abandoned as soon as a worker would be presumed dead
        self.assembly_lease = timedelta(seconds=settings.worker_heartbeat)
        self._engines = self.runtime.engines.workers()
        self._pools: queue.Queue[WorkerPool] = queue.Queue()
        for _ in range(settings.worker_threads):
            self._pools.put(WorkerPool(1, self._engines))
        self.broker = make_broker(settings)
        self.chain = self.runtime.chain(self.broker)
        dramatiq.actor(broker=self.broker, actor_name=ACTOR, queue_name=QUEUE,
                       time_limit=_CHUNK_TIME_LIMIT_MS, **_CHUNK_RETRIES)(self.speak_chunk)
        dramatiq.actor(broker=self.broker, actor_name=GIVEN_UP, queue_name=QUEUE,
                       max_retries=_CHUNK_RETRIES["max_retries"])(self.give_up)
        self.pieces = Pieces(self.runtime.database, self.storage, settings.max_audio_seconds)
        dramatiq.actor(broker=self.broker, actor_name=HEAR, queue_name=QUEUE,
                       time_limit=_CHUNK_TIME_LIMIT_MS,
                       **{**_CHUNK_RETRIES, "on_retry_exhausted": HEARING_GIVEN_UP})(self.hear_piece)
        dramatiq.actor(broker=self.broker, actor_name=HEARING_GIVEN_UP, queue_name=QUEUE,
                       max_retries=_CHUNK_RETRIES["max_retries"])(self.give_up_hearing)
        # dubbing speaks in pools of its own, started on the first project
        self.dubbing = DubbingTasks(
            self.runtime.database, self.storage,
            Listener(self.runtime.database, self.runtime.recognizers, settings),
            self.runtime.voices, SpeechPool(settings.worker_threads, self._engines),
            self.runtime.upstream, claim_lease=self.assembly_lease)
        dramatiq.actor(broker=self.broker, actor_name=DUB, queue_name=QUEUE,
                       time_limit=_CHUNK_TIME_LIMIT_MS,
                       **{**_CHUNK_RETRIES, "on_retry_exhausted": DUBBING_GIVEN_UP})(self.dub)
        dramatiq.actor(broker=self.broker, actor_name=DUBBING_GIVEN_UP, queue_name=QUEUE,
                       max_retries=_CHUNK_RETRIES["max_retries"])(self.give_up_dubbing)
        dramatiq.actor(broker=self.broker, actor_name=RENDER, queue_name=QUEUE,
                       time_limit=_CHUNK_TIME_LIMIT_MS, **_CHUNK_RETRIES)(self.dubbing.make_render)

    @property
    def storage(self) -> Storage:
        return self.runtime.storage

    def speak_chunk(self, task_id: str, index: int) -> None:
        pool = self._pools.get()
        try:
            executor = self.runtime.executor(pool, self.meter, self.assembly_lease)
            again = executor.run_chunk(task_id, index)
        finally:
            if not pool.healthy:  # its engine process died: the chunk failed, start afresh
                pool.close()
                pool = WorkerPool(1, self._engines)
            self._pools.put(pool)
        if again is not None:  # another worker is assembling the task, or died doing it
            self.broker.enqueue(message(ACTOR, task_id, index), delay=int(again * 1000))
        self.chain.hand_on(task_id)

    def hear_piece(self, task_id: str, index: int) -> None:
        """Hear one piece of a recognition task. The first hands on the others (it has settled
        the language), also when delivered again; whoever finds every piece heard assembles
        the task."""
        try:
            self.pieces.hear(task_id, index, self.runtime.recognizers.default())
            if index == 0 and self.pieces.start(task_id) is not None:
                for following in self.pieces.pending(task_id):
                    self.broker.enqueue(message(HEAR, task_id, following))
            self.pieces.assemble(task_id)
        except VoicerError as error:  # its file gone, or not audio: trying again mends nothing
            self._fail_hearing(task_id, f"recognition failed: {error.message}")

    def give_up_hearing(self, failed: dict[str, Any], retries: dict[str, Any]) -> None:
        """A piece failed every time it was tried: fail its task with the last error."""
        task_id, index = failed["args"]
        self._fail_hearing(task_id, f"piece {index + 1} failed {retries['retries'] + 1} times; "
                                    f"the last error: {_in_words(_last_error(failed))}")

    def _fail_hearing(self, task_id: str, message: str) -> None:
        self.pieces.fail(task_id, message)
        log.error("recognition task %s failed: %s", task_id, message)

    def dub(self, dubbing_id: str) -> None:
        """Make a dubbing project, unless it is made or another worker is making it; if that
        worker stops renewing its claim (it died), this message comes back once the claim has
        expired."""
        again = self.dubbing.run(dubbing_id)
        if again is not None:
            self.broker.enqueue(message(DUB, dubbing_id), delay=int(again * 1000))

    def give_up_dubbing(self, failed: dict[str, Any], retries: dict[str, Any]) -> None:
        """A project failed every time it was tried: it fails, refunded, with the last error."""
        self.dubbing.fail(failed["args"][0], f"dubbing failed {retries['retries'] + 1} times; "
                                             f"the last error: {_in_words(_last_error(failed))}")

    def give_up(self, failed: dict[str, Any], retries: dict[str, Any]) -> None:
        """A chunk failed every time it was tried: fail its task with the last error."""
        task_id, index = failed["args"]
        error = _last_error(failed)
        with self.runtime.database.session() as session:
            service.fail(session, task_id, f"chunk {index + 1} failed {retries['retries'] + 1} "
                                           f"times; the last error: {_in_words(error)}")
        log.error("task %s failed: chunk %d failed every time; %s", task_id, index + 1, error)

    def run(self, stop: StopRequest, parent: int) -> None:
        worker = dramatiq.Worker(self.broker, worker_threads=self.settings.worker_threads)
        worker.start()
        log.info("worker %d: speaking chunks from %s", os.getpid(), QUEUE)
        try:
            while not stop.wait(0.5) and os.getppid() == parent:
                pass
        finally:
            self.stop(worker)

    def stop(self, worker: dramatiq.Worker) -> None:
        """Let the chunks in flight finish, then close: within ``worker_stop_timeout`` seconds
        and ``_CLOSE_SECONDS`` more, whatever the broker and the database do.

        With Redis away, Dramatiq retries a finished chunk's acknowledgement forever, and a
        worker thread can wait minutes on a connection: such threads are left behind (they are
        daemon threads), and their messages are delivered again once this worker is silent.
        """
        grace = self.settings.worker_stop_timeout
        if not _within(grace, lambda: worker.stop(timeout=int(grace * 1000))):
            log.warning("worker %d: chunks still in flight after %g s are left to be delivered "
                        "again", os.getpid(), grace)
        if not _within(_CLOSE_SECONDS, self.close):
            log.warning("worker %d: could not close in %g s", os.getpid(), _CLOSE_SECONDS)

    def close(self) -> None:
        """Close what this process holds; the engine pools of chunks still in flight stay open
        (``_process`` kills their processes)."""
        while not self._pools.empty():
            self._pools.get().close()
        self.dubbing.close()
        self.dubbing.speech.close()
        self.broker.close()
        self.runtime.close()


def _last_error(failed: dict[str, Any]) -> str:
    """The last line of the traceback a message that failed every retry carries ("?": none)."""
    lines = (failed["options"].get("traceback") or "").strip().splitlines()
    return lines[-1] if lines else "?"


def _in_words(line: str) -> str:
    """A traceback's last line without the exception's name: what a task's status may say."""
    name, separator, words = line.partition(": ")
    is_name = separator and name.replace(".", "").replace("_", "").isalnum() and " " not in name
    return words if is_name and words else "an internal error (the worker's log has the details)"


class StopRequest:
    """Set by SIGTERM or SIGINT, as many times as they come.

    The handler only assigns a flag. Setting a ``threading.Event`` there deadlocks when a
    second signal lands while the first handler holds the Event's lock, and a stop often
    brings two (one to the process group, one from the supervisor).
    """

    def __init__(self) -> None:
        self.requested = False
        for stop in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop, self._request)

    def _request(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` unless a stop was requested; whether one was."""
        if not self.requested:
            time.sleep(seconds)
        return self.requested


def _within(seconds: float, work: Callable[[], object]) -> bool:
    """Run ``work`` in a daemon thread for up to ``seconds``; whether it finished. One that did
    not goes on in the background, and does not keep the process from exiting."""
    thread = threading.Thread(target=work, name="voicer-stopping", daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    return not thread.is_alive()


def _process(settings: Settings, parent: int) -> None:
    stop = StopRequest()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        ChunkWorker(settings).run(stop, parent)
    finally:
        # Engine processes ignore SIGTERM and wait for their pool: those of chunks left in flight
        # would hold this process at exit, where multiprocessing joins its children.
        for engine in multiprocessing.active_children():
            engine.kill()


def serve(settings: Settings) -> None:
    """Run ``settings.worker_processes`` worker processes until SIGTERM or SIGINT; a process
    that dies is started again. After a stop, a worker process still running when it should
    have ended is killed."""
    if settings.broker_url is None:
        raise SystemExit("voicer worker needs VOICER_BROKER_URL (redis://…)")
    stop = StopRequest()  # first: a stop while starting up is as clean as any other
    open_database(settings).close()  # migrated once here, not by each process
    context = multiprocessing.get_context("spawn")

    def start() -> BaseProcess:
        process = context.Process(target=_process, args=(settings, os.getpid()), daemon=False)
        process.start()
        return process

    processes = [] if stop.requested else [start() for _ in range(settings.worker_processes)]
    while not stop.wait(0.5):
        for number, process in enumerate(processes):
            if not process.is_alive():
                log.warning("worker process %s ended (exit code %s); starting another",
                            process.pid, process.exitcode)
                time.sleep(0.5)
                processes[number] = start()
    for process in processes:
        process.terminate()
    # each stops in its own time; one that cannot (stuck beyond its own bounds) is killed
    deadline = time.monotonic() + settings.worker_stop_timeout + _CLOSE_SECONDS + _KILL_AFTER
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            log.warning("worker process %s did not stop in time: killing it", process.pid)
            process.kill()
            process.join(timeout=5)
