"""The runtime: what a Voicer process builds from its one Settings object, in this order.

    storage → database (migrated) → voices (+ the ElevenLabs upstream) → runner or queue

Storage comes first, so bad storage settings fail before anything starts. ``voicer serve``
(through ``Services``) and each ``voicer worker`` process open a ``Runtime`` here and close it
when they end; an API node adds its ``task_runner``, a worker process its broker and ``chain``.
The ``voicer users``/``tokens`` commands and the worker supervisor open only the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from dramatiq.brokers.redis import RedisBroker

from voicer.db import Database
from voicer.metrics import Metrics
from voicer.pipeline.workers import EngineFactory, WorkerPool
from voicer.settings import Settings
from voicer.storage import Storage, make_storage
from voicer.tasks.execute import ASSEMBLY_LEASE, TaskExecutor, renderers, task_engine
from voicer.tasks.queue import Chain, QueueRunner, make_broker
from voicer.tasks.runner import EmbeddedRunner, TaskRunner
from voicer.tasks.throughput import ThroughputMeter
from voicer.upstream.engine import Upstream
from voicer.voices import VoiceCatalogue
from voicer.voices.directory import VoiceDirectory


@dataclass
class Runtime:
    """What speaking tasks needs, held for the life of the process."""

    settings: Settings
    storage: Storage
    database: Database
    upstream: Upstream | None  # the real ElevenLabs API, when a key is configured
    voices: VoiceDirectory
    metrics: Metrics

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool = True) -> Runtime:
        """The runtime ``settings`` describe; ``migrate=False`` where another process (the
        ``voicer worker`` supervisor) has migrated the database already."""
        storage = make_storage(settings)  # first: bad storage settings fail before anything starts
        database = open_database(settings, migrate=migrate)
        upstream = Upstream(settings) if settings.elevenlabs_api_key else None
        voices = VoiceDirectory(VoiceCatalogue.bundled(), upstream, settings.elevenlabs_premade)
        return cls(settings, storage, database, upstream, voices, Metrics(database))

    def executor(self, pool: WorkerPool | None, meter: ThroughputMeter,
                 assembly_lease: timedelta = ASSEMBLY_LEASE) -> TaskExecutor:
        """A task executor speaking local voices in ``pool`` (None: upstream voices only)."""
        return TaskExecutor(self.database, self.storage, renderers(pool, self.upstream),
                            self.voices, meter, self.metrics, assembly_lease)

    def chain(self, broker: RedisBroker) -> Chain:
        """What hands on the chunks of ordered upstream tasks, one message at a time."""
        return Chain(self.database, broker, self.voices, self.settings.elevenlabs_continuity)

    def close(self) -> None:
        if self.upstream is not None:
            self.upstream.close()
        self.database.close()


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """The database ``settings`` name, migrated to the latest schema unless told otherwise."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # SQLite and local audio by default
    database = Database(settings.database)
    if migrate:
        database.migrate()
    return database


def task_runner(runtime: Runtime, meter: ThroughputMeter, engine: EngineFactory) -> TaskRunner:
    """An API node's runner, not yet started: with a broker it only enqueues and ``voicer
    worker`` processes speak; without, it speaks in local worker processes it starts itself."""
    if runtime.settings.broker_url:
        return queue_runner(runtime)
    return embedded_runner(runtime, meter, engine)


def queue_runner(runtime: Runtime) -> QueueRunner:
    broker = make_broker(runtime.settings)
    return QueueRunner(runtime.database, broker, runtime.chain(broker),
                       runtime.settings.queue_reconcile_seconds)


def embedded_runner(runtime: Runtime, meter: ThroughputMeter,
                    engine: EngineFactory) -> EmbeddedRunner:
    upstream = runtime.upstream
    return EmbeddedRunner(
        runtime.database, runtime.settings.workers, lambda pool: runtime.executor(pool, meter),
        engine, lambda stored, options: task_engine(runtime.voices, stored, options),
        upstream_lanes=0 if upstream is None else upstream.concurrency)
