"""The runtime: what a Voicer process builds from its one Settings object, in this order.

    storage → database (migrated) → engines and their voices (+ the ElevenLabs upstream)
            → recognizers (loaded on first use) → runner or queue

Storage comes first, so bad storage settings fail before anything starts. ``voicer serve``
(through ``Services``) and each ``voicer worker`` process open a ``Runtime`` here and close it
when they end; an API node adds its ``task_runner``, a worker process its broker and ``chain``.
The ``voicer users``/``tokens`` commands and the worker supervisor open only the database.

The engine registry is built here once: espeak-ng and the neural voices (hibari, Piper, the
voices folder's), or the ``engine`` given in their place; every extra ``LocalEngine`` given to
``open`` (``create_app(settings, engines=[...])``) or named by ``VOICER_ENGINES``; and the
upstream when a key is configured. Everything after asks it which engine speaks what.
``voicer synthesize``, which needs no database, builds the same local engines with
:func:`local_engines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from dramatiq.brokers.redis import RedisBroker

from voicer.db import Database
from voicer.engines import EngineFactory
from voicer.engines.neural import neural_engines
from voicer.engines.registry import EngineRegistry, LocalEngine, import_engines
from voicer.metrics import Metrics
from voicer.models import LOCAL_ENGINE
from voicer.pipeline.pool import WorkerPool, default_engine
from voicer.pipeline.verify import ChunkVerifier
from voicer.recognition.registry import RecognizerRegistry, recognition_engines
from voicer.settings import Settings
from voicer.storage import Storage, make_storage
from voicer.tasks.execute import ASSEMBLY_LEASE, TaskExecutor, task_engine
from voicer.tasks.queue import Chain, QueueRunner, make_broker
from voicer.tasks.runner import EmbeddedRunner, TaskRunner
from voicer.tasks.throughput import ThroughputMeter
from voicer.upstream.engine import Upstream
from voicer.voices import VoiceCatalogue
from voicer.voices.directory import VoiceDirectory
from voicer.voices.owned import OwnedVoices


@dataclass
class Runtime:
    """What speaking tasks needs, held for the life of the process."""

    settings: Settings
    storage: Storage
    database: Database
    upstream: Upstream | None  # the real ElevenLabs API, when a key is configured
    engines: EngineRegistry  # who speaks what: the local engines and the upstream
    voices: VoiceDirectory
    metrics: Metrics
    recognizers: RecognizerRegistry  # who listens: Whisper (loaded on first use), Scribe upstream

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool = True,
             engine: EngineFactory = default_engine,
             engines: Sequence[LocalEngine] = ()) -> Runtime:
        """The runtime ``settings`` describe; ``migrate=False`` where another process (the
        ``voicer worker`` supervisor) has migrated the database already. ``engine`` makes the
        engine of the bundled voices (espeak-ng, with hibari and Piper beside it; a stand-in
        given here speaks them all); ``engines`` are registered beside it."""
        storage = make_storage(settings)  # first: bad storage settings fail before anything starts
        database = open_database(settings, migrate=migrate)
        upstream = Upstream(settings) if settings.elevenlabs_api_key else None
        registry = EngineRegistry(local_engines(settings, engine, engines), upstream)
        voices = VoiceDirectory(local_voices(registry), upstream,
                                settings.elevenlabs_premade, OwnedVoices(database))
        recognizers = RecognizerRegistry(recognition_engines(settings, upstream))
        return cls(settings, storage, database, upstream, registry, voices, Metrics(database),
                   recognizers)

    def executor(self, pool: WorkerPool | None, meter: ThroughputMeter,
                 assembly_lease: timedelta = ASSEMBLY_LEASE) -> TaskExecutor:
        """A task executor speaking local voices in ``pool`` (None: upstream voices only)."""
        return TaskExecutor(self.database, self.storage, self.engines.renderers(pool),
                            self.voices, meter, self.metrics, assembly_lease, self.verifier())

    def verifier(self) -> ChunkVerifier:
        """What hears a verified task's chunks back: the default recognizer, loaded on first
        use, and the threshold and renders the settings allow."""
        return ChunkVerifier(self.recognizers.default, self.settings.verify_threshold,
                             self.settings.verify_attempts, self.engines.varies)

    def chain(self, broker: RedisBroker) -> Chain:
        """What hands on the chunks of ordered upstream tasks, one message at a time."""
        return Chain(self.database, broker, self.voices, self.engines,
                     self.settings.elevenlabs_continuity)

    def close(self) -> None:
        if self.upstream is not None:
            self.upstream.close()
        self.database.close()


def local_engines(settings: Settings, make: EngineFactory = default_engine,
                  extra: Sequence[LocalEngine] = ()) -> list[LocalEngine]:
    """espeak-ng (the default, first) and the neural engines, each with its bundled voices,
    then ``extra``, then those ``VOICER_ENGINES`` names. Another ``make`` (a stand-in, in
    tests) speaks every bundled voice alone."""
    bundled = tuple(VoiceCatalogue.bundled())
    named = [found for path in settings.engines for found in import_engines(path)]
    if make is not default_engine:
        return [LocalEngine(LOCAL_ENGINE, make, bundled), *extra, *named]
    espeak = LocalEngine(LOCAL_ENGINE, make,
                         tuple(voice for voice in bundled if voice.engine == LOCAL_ENGINE))
    return [espeak, *neural_engines(settings.voices_dir), *extra, *named]


def local_voices(registry: EngineRegistry) -> VoiceCatalogue:
    """The local engines' voices, the bundled ones in the catalogue's order (the default
    first, whichever engine speaks each), then the others in registration order."""
    order = {voice.voice_id: i for i, voice in enumerate(VoiceCatalogue.bundled())}
    return VoiceCatalogue(sorted(registry.voices(), key=lambda v: order.get(v.voice_id, len(order))))


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """The database ``settings`` name, migrated to the latest schema unless told otherwise."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # SQLite and local audio by default
    database = Database(settings.database)
    if migrate:
        database.migrate()
    return database


def task_runner(runtime: Runtime, meter: ThroughputMeter) -> TaskRunner:
    """An API node's runner, not yet started: with a broker it only enqueues and ``voicer
    worker`` processes speak; without, it speaks in local worker processes it starts itself."""
    if runtime.settings.broker_url:
        return queue_runner(runtime)
    return embedded_runner(runtime, meter)


def queue_runner(runtime: Runtime) -> QueueRunner:
    broker = make_broker(runtime.settings)
    return QueueRunner(runtime.database, broker, runtime.chain(broker),
                       runtime.settings.queue_reconcile_seconds)


def embedded_runner(runtime: Runtime, meter: ThroughputMeter) -> EmbeddedRunner:
    return EmbeddedRunner(
        runtime.database, runtime.settings.workers, lambda pool: runtime.executor(pool, meter),
        runtime.engines, lambda stored, options: task_engine(runtime.voices, stored, options))
