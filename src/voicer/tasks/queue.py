"""Scale-out: tasks as Dramatiq messages on Redis, one per chunk, spoken by ``voicer worker``.

API nodes only enqueue. A task's chunks are enqueued right after it is accepted,
and then marked ``enqueued_at``; each API node also looks, at start and every
minute, for accepted tasks that were never marked (a node that died in between)
and enqueues them again. A message may so arrive twice, and Redis delivers a
message again when the worker holding it stops sending heartbeats (it died):
chunk work is idempotent (``TaskExecutor.run_chunk``), so a redelivery never
duplicates audio, and the task's assembly is claimed by one worker.

A worker that dies is noticed after ``VOICER_WORKER_HEARTBEAT`` seconds (30 by
default); its unfinished chunks are then delivered to another worker, so a task
is picked up again within about that time plus one chunk. A worker assembling a task
renews its claim on the assembly; the claim of one that died expires after the same
heartbeat timeout, and the redelivered message comes back then and assembles the task.

An upstream voice with ``ordered`` continuity is spoken one chunk after another, each
stitched to the request-ids of those before it: such a task has one message at a
time, and the worker that records a chunk hands on the next (``Chain``).

A recognition task (``/v1/stt``) goes the same way, a message per piece of its audio
(``HEAR``): the first is enqueued when the task is accepted, and the worker that hears it
enqueues the others (``voicer.recognition.tasks``). A piece is recorded once, however many
times it is delivered, and whoever records the last assembles the task.

A dubbing project (``/v1/dubbing``) is one message (``DUB``), enqueued when it is accepted and
then marked ``enqueued_at``; the reconcile enqueues a project never marked, as it does tasks. Its
worker claims the project's row and renews the claim, so a repeated delivery makes it once
(``voicer.dubbing.tasks``). A render of its resource is one message too (``RENDER``).

Redis that restarts without its data (no AOF) loses every queued message. Each API
node keeps a marker key in the broker's Redis: the node that finds it gone puts it
back and enqueues again the pending chunks of every unfinished task (and every unfinished
dubbing project and render), so a lost queue costs at most one reconcile interval, not the
tasks.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import redis
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry
from sqlalchemy import func, or_, select, update

from voicer.db import Database
from voicer.db.tables import (
    ACTIVE,
    ChunkStatus,
    DubbingProject,
    Task,
    TaskChunk,
    TaskStatus,
    utcnow,
)
from voicer.dubbing.tasks import DUBBED, DUBBING
from voicer.engines.registry import EngineRegistry
from voicer.settings import Settings
from voicer.tasks.execute import task_engine
from voicer.voices import Voices

log = logging.getLogger("voicer.queue")

QUEUE = "voicer-chunks"
ACTOR = "speak_chunk"
GIVEN_UP = "chunk_given_up"  # a chunk that failed every retry: its task fails
HEAR = "hear_piece"  # a piece of a recognition task's audio
HEARING_GIVEN_UP = "piece_given_up"  # a piece that failed every retry: its task fails
DUB = "dub_project"  # a dubbing project, made whole by one worker
DUBBING_GIVEN_UP = "dub_given_up"  # a project that failed every retry: it fails
RENDER = "render_dub"  # a language of a dubbing spoken again from its resource
_MARKER = "voicer:queue-marker"  # gone from Redis: Redis lost its data
_GRACE = timedelta(seconds=10)  # a task this fresh is still being enqueued by its own node
# Out of a million broker commands, how many also look for dead workers' messages. Dramatiq's
# default (1,000) can leave a dead worker's chunks waiting for minutes on a quiet queue.
_MAINTENANCE_CHANCE = 50_000
# Redis away: a command fails within seconds, not after minutes of connecting to a host that does
# not answer and backing off up to 10 s between tries (redis-py's defaults), so a worker can stop
# and /health can answer. Dramatiq's commands are short scripts, never blocking reads.
_CONNECT_TIMEOUT = 5.0
_COMMAND_TIMEOUT = 10.0
_RETRY = Retry(ExponentialWithJitterBackoff(cap=1.0, base=0.1), retries=3)


def make_broker(settings: Settings) -> RedisBroker:
    assert settings.broker_url is not None
    client = redis.Redis.from_url(settings.broker_url, socket_connect_timeout=_CONNECT_TIMEOUT,
                                  socket_timeout=_COMMAND_TIMEOUT, retry=_RETRY)
    return RedisBroker(  # type: ignore[no-untyped-call]
        client=client, heartbeat_timeout=int(settings.worker_heartbeat * 1000),
        maintenance_chance=_MAINTENANCE_CHANCE)


def message(actor: str, *args: str | int) -> Message[None]:
    """A message for ``actor`` (``ACTOR``, ``HEAR``, ``DUB``, ``RENDER``) on Voicer's queue."""
    return Message(queue_name=QUEUE, actor_name=actor, args=args, kwargs={}, options={})


class Chain:
    """Ordered continuity under a queue: the chunks of a task spoken by an upstream voice with
    ``ordered`` continuity go out one message at a time, in order.

    The next chunk is handed on after the last one is recorded, also by a repeated delivery
    (a worker that died before its message was acknowledged), so the chain never breaks; the
    task's ``handed_on`` mark keeps repeated deliveries from handing the same chunk on twice.
    """

    def __init__(self, database: Database, broker: RedisBroker, voices: Voices,
                 engines: EngineRegistry, continuity: str) -> None:
        self.database = database
        self.broker = broker
        self.voices = voices
        self.engines = engines
        self.continuity = continuity

    def applies(self, task: Task) -> bool:
        return (self.continuity == "ordered"
                and self.engines.relays(task_engine(self.voices, task.engine, task.options)))

    def start(self, task_id: str, index: int) -> None:
        """Hand on ``index``, the first pending chunk, whatever was handed on before."""
        self.broker.enqueue(message(ACTOR, task_id, index))
        with self.database.session() as session:
            session.execute(update(Task).where(Task.id == task_id).values(handed_on=index))
            session.commit()

    def hand_on(self, task_id: str) -> None:
        """Enqueue the task's next pending chunk, if it is chained and that chunk was not
        handed on yet. Enqueue, then mark: a crash in between hands it on twice, harmlessly."""
        with self.database.session() as session:
            task = session.get(Task, task_id)
            if task is None or task.status not in ACTIVE or not self.applies(task):
                return
            following = session.scalar(select(func.min(TaskChunk.index)).where(
                TaskChunk.task_id == task_id, TaskChunk.status == ChunkStatus.pending))
            if following is None or (task.handed_on is not None and task.handed_on >= following):
                return
        self.broker.enqueue(message(ACTOR, task_id, following))
        with self.database.session() as session:
            session.execute(update(Task).where(
                Task.id == task_id, or_(Task.handed_on.is_(None), Task.handed_on < following))
                .values(handed_on=following))
            session.commit()


class QueueRunner:
    """The runner of an API node when a broker is configured: it enqueues, workers speak."""

    def __init__(self, database: Database, broker: RedisBroker, chain: Chain,
                 reconcile_seconds: float = 60.0) -> None:
        self.database = database
        self.broker = broker
        self.chain = chain
        self.reconcile_seconds = reconcile_seconds
        self.broker.declare_queue(QUEUE)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="voicer-enqueuer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=30)
        self.broker.close()

    def enqueue_piece(self, task_id: str, index: int) -> None:
        """Hand piece ``index`` of recognition task ``task_id`` to the workers."""
        self.broker.enqueue(message(HEAR, task_id, index))

    def enqueue_dubbing(self, dubbing_id: str) -> None:
        """Hand a dubbing project to the workers, then mark it (a crash in between enqueues it
        twice, and it is made once)."""
        self.broker.enqueue(message(DUB, dubbing_id))
        with self.database.session() as session:
            session.execute(update(DubbingProject).where(DubbingProject.id == dubbing_id)
                            .values(enqueued_at=utcnow()))
            session.commit()

    def enqueue_render(self, dubbing_id: str, language: str, render_id: str) -> None:
        """Hand a render of a dubbing's resource to the workers."""
        self.broker.enqueue(message(RENDER, dubbing_id, language, render_id))

    def ping(self) -> None:
        """Raises if Redis cannot be reached."""
        self.broker.client.ping()

    def _loop(self) -> None:
        woken = False  # the first pass, at start, takes every task left behind
        while not self._stopping.is_set():
            try:
                self._recover_lost_queue()
                self._enqueue_waiting(woken)
            except Exception:  # Redis or the database away: try again at the next turn
                log.exception("could not enqueue waiting tasks; retrying")
            woken = self._wake.wait(self.reconcile_seconds)
            self._wake.clear()

    def _enqueue_waiting(self, woken: bool) -> None:
        """Enqueue accepted tasks never marked as enqueued. Woken by a submit, that is the new
        one; otherwise only those older than a grace period, left behind by a node that died."""
        query = select(Task.id).where(Task.status == TaskStatus.pending, Task.enqueued_at.is_(None))
        if not woken:
            query = query.where(Task.created_at < utcnow() - _GRACE)
        dubbings = select(DubbingProject.id).where(
            DubbingProject.status == DUBBING, DubbingProject.upstream_id.is_(None),
            DubbingProject.enqueued_at.is_(None))
        if not woken:
            dubbings = dubbings.where(DubbingProject.created_at < utcnow() - _GRACE)
        with self.database.session() as session:
            waiting = session.scalars(query.order_by(Task.created_at)).all()
            projects = session.scalars(dubbings.order_by(DubbingProject.created_at)).all()
        for task_id in waiting:
            self.enqueue(task_id)
        for dubbing_id in projects:
            self.enqueue_dubbing(dubbing_id)

    def _recover_lost_queue(self) -> None:
        """If the marker is gone, Redis lost its data (or is new): whoever puts the marker back
        enqueues every unfinished task again. Chunks already queued arrive twice, harmlessly."""
        if not self.broker.client.set(_MARKER, utcnow().isoformat(), nx=True):
            return
        with self.database.session() as session:
            unfinished = session.scalars(
                select(Task.id).where(Task.status.in_(ACTIVE), Task.enqueued_at.is_not(None))
                .order_by(Task.created_at)).all()
        if unfinished:
            log.warning("the broker lost its queue: enqueueing %d unfinished tasks again",
                        len(unfinished))
        for task_id in unfinished:
            self.enqueue(task_id)
        self._enqueue_dubbings_again()

    def _enqueue_dubbings_again(self) -> None:
        """Every unfinished dubbing project and render, enqueued again after a lost queue."""
        with self.database.session() as session:
            projects = session.scalars(select(DubbingProject.id).where(
                DubbingProject.status == DUBBING, DubbingProject.upstream_id.is_(None),
                DubbingProject.enqueued_at.is_not(None))).all()
            renders = [(project.id, language, render["id"]) for project in session.scalars(
                select(DubbingProject).where(DubbingProject.status == DUBBED))
                for language, render in (project.resource or {}).get("renders", {}).items()
                if render["status"] == "processing"]
        for dubbing_id in projects:
            self.enqueue_dubbing(dubbing_id)
        for render in renders:
            self.enqueue_render(*render)

    def enqueue(self, task_id: str) -> None:
        """One message per pending chunk (only the first for a chained task), then the mark
        (a crash in between enqueues twice). A task whose chunks are all done gets one
        message, which assembles it."""
        with self.database.session() as session:
            task = session.get(Task, task_id)
            if task is None:
                return
            chained = self.chain.applies(task)
            indexes = session.scalars(
                select(TaskChunk.index).where(TaskChunk.task_id == task_id,
                                              TaskChunk.status == ChunkStatus.pending)
                .order_by(TaskChunk.index)).all() or [0]
        if chained:
            self.chain.start(task_id, indexes[0])
        else:
            for index in indexes:
                self.broker.enqueue(message(ACTOR, task_id, index))
        with self.database.session() as session:
            session.execute(update(Task).where(Task.id == task_id).values(enqueued_at=utcnow()))
            session.commit()
