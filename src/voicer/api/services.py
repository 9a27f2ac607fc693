"""Everything that lives across requests, built at start-up and held by the app."""

from __future__ import annotations

from dataclasses import dataclass

from voicer.db import Database
from voicer.elevenlabs.billing import Billing
from voicer.language import LanguageDetector
from voicer.metrics import Metrics
from voicer.pipeline.workers import EngineFactory, default_engine
from voicer.ratelimit import RateLimiter, StreamLimit
from voicer.settings import Settings
from voicer.speech import SpeechPool
from voicer.storage import Storage, make_storage
from voicer.tasks.execute import TaskExecutor, renderers, task_engine
from voicer.tasks.queue import Chain, QueueRunner, make_broker
from voicer.tasks.runner import EmbeddedRunner, TaskRunner
from voicer.tasks.service import Planner
from voicer.tasks.throughput import ThroughputMeter
from voicer.tasks.watch import TaskWatch
from voicer.upstream.engine import Upstream
from voicer.voices import VoiceCatalogue
from voicer.voices.directory import VoiceDirectory


@dataclass
class Services:
    settings: Settings
    database: Database
    storage: Storage
    planner: Planner
    meter: ThroughputMeter
    limiter: RateLimiter
    runner: TaskRunner
    speech: SpeechPool
    metrics: Metrics
    upstream: Upstream | None  # the real ElevenLabs API, when a key is configured
    watch: TaskWatch  # what event streams and waiting status requests look at
    streams: StreamLimit  # event streams open per token
    billing: Billing  # what ElevenLabs speech costs, and its history

    @classmethod
    def start(cls, settings: Settings, engine: EngineFactory = default_engine) -> Services:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        storage = make_storage(settings)  # first: bad storage settings fail before anything starts
        database = Database(settings.database)
        database.migrate()
        upstream = Upstream(settings) if settings.elevenlabs_api_key else None
        if upstream is not None:
            upstream.listing()  # read the upstream's voices before the first request needs them
        planner = Planner(VoiceDirectory(VoiceCatalogue.bundled(), upstream,
                                         settings.elevenlabs_premade), LanguageDetector())
        meter = ThroughputMeter.seeded(database, settings.workers)
        metrics = Metrics(database)
        runner: TaskRunner
        if settings.broker_url:  # `voicer worker` processes speak; this node enqueues
            broker = make_broker(settings)
            runner = QueueRunner(database, broker, Chain(database, broker, planner.voices,
                                                         settings.elevenlabs_continuity),
                                 settings.queue_reconcile_seconds)
        else:
            runner = EmbeddedRunner(
                database, settings.workers, lambda pool: TaskExecutor(
                    database, storage, renderers(pool, upstream), planner.voices, meter,
                    metrics),
                engine, lambda stored, options: task_engine(planner.voices, stored, options),
                upstream_lanes=0 if upstream is None else upstream.concurrency)
        runner.start()
        speech = SpeechPool(settings.speech_workers or settings.workers, engine)
        return cls(settings, database, storage, planner, meter, RateLimiter(settings), runner,
                   speech, metrics, upstream,
                   TaskWatch(database, meter, settings.status_wait_seconds),
                   StreamLimit(settings.max_event_streams_per_token),
                   Billing(database, storage, planner.voices, metrics))

    def stop(self) -> None:
        self.runner.stop()
        self.speech.close()
        if self.upstream is not None:
            self.upstream.close()
        self.database.close()
