"""Everything that lives across requests, built at start-up and held by the app."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voicer.cloning.designer import VoiceDesigner
from voicer.cloning.service import Cloner
from voicer.db import Database
from voicer.dubbing.tasks import DubbingTasks
from voicer.elevenlabs.billing import Billing
from voicer.engines import EngineFactory
from voicer.engines.registry import EngineRegistry, LocalEngine
from voicer.language import LanguageDetector
from voicer.metrics import Metrics
from voicer.pipeline.pool import default_engine
from voicer.ratelimit import RateLimiter, StreamLimit
from voicer.recognition.listener import Listener
from voicer.recognition.registry import parallel_whisper
from voicer.recognition.tasks import SttTasks
from voicer.runtime import Runtime, task_runner
from voicer.settings import Settings
from voicer.speech import SpeechPool
from voicer.storage import Storage
from voicer.tasks.queue import QueueRunner
from voicer.tasks.runner import TaskRunner
from voicer.tasks.service import Planner
from voicer.tasks.throughput import ThroughputMeter
from voicer.tasks.watch import TaskWatch
from voicer.upstream.engine import Upstream
from voicer.voiceapi.models import PageCache
from voicer.voiceapi.tts import SpeechTasks
from voicer.voices.owned import OwnedVoices
from voicer.webhooks.dispatcher import Dispatcher


@dataclass
class Services:
    runtime: Runtime  # database, storage, voices and upstream, as every Voicer process has them
    planner: Planner
    meter: ThroughputMeter
    limiter: RateLimiter
    runner: TaskRunner
    speech: SpeechPool
    watch: TaskWatch  # what event streams and waiting status requests look at
    streams: StreamLimit  # event streams open per token
    billing: Billing  # what ElevenLabs speech costs, and its history
    listener: Listener  # uploads decoded, charged and recognised
    stt: SttTasks  # recognition tasks, run in this process or handed to the queue
    tts: SpeechTasks  # the Voice API's speech tasks, run in this process
    webhooks: Dispatcher  # tasks' events, POSTed to their callbacks
    dubbing: DubbingTasks  # dubbing projects, made in this process or handed to the queue
    cloner: Cloner  # users' voices cloned from their references
    models: PageCache  # the Voice API's models list, its pages asked often
    designer: VoiceDesigner  # users' voices designed from a description

    @classmethod
    def start(cls, settings: Settings, engine: EngineFactory = default_engine,
              engines: Sequence[LocalEngine] = ()) -> Services:
        runtime = Runtime.open(settings, engine=engine, engines=engines)
        if runtime.upstream is not None:
            runtime.upstream.listing()  # read the upstream's voices before the first request needs them
        planner = Planner(runtime.voices, LanguageDetector())
        meter = ThroughputMeter.seeded(runtime.database, settings.workers, runtime.engines.speeds)
        runner = task_runner(runtime, meter)
        runner.start()
        speech = SpeechPool(settings.speech_workers or settings.workers, runtime.engines.workers())
        parallel = parallel_whisper(settings.stt_model, settings.data_dir, settings.stt_workers)
        listener = Listener(runtime.database, runtime.recognizers, settings, parallel)
        stt = SttTasks(runtime.database, runtime.storage, listener, parallel,
                       runner.enqueue_piece if isinstance(runner, QueueRunner) else None)
        stt.recover()
        tts = SpeechTasks(runtime.database, runtime.storage, planner.voices, speech,
                          planner.detector)
        tts.recover()
        webhooks = Dispatcher(runtime.database, settings)
        webhooks.start()
        dubbing = DubbingTasks(runtime.database, runtime.storage, listener, planner.voices, speech,
                               runtime.upstream,
                               runner if isinstance(runner, QueueRunner) else None)
        dubbing.recover()
        cloner = Cloner(settings, OwnedVoices(runtime.database), planner.voices, speech,
                        runtime.recognizers, planner.detector, runtime.upstream)
        return cls(runtime, planner, meter, RateLimiter(settings), runner, speech,
                   TaskWatch(runtime.database, meter, settings.status_wait_seconds),
                   StreamLimit(settings.max_event_streams_per_token),
                   Billing(runtime.database, runtime.storage, planner.voices, runtime.metrics,
                           runtime.engines),
                   listener, stt, tts, webhooks, dubbing, cloner,
                   PageCache(settings.models_cache_seconds),
                   VoiceDesigner(settings, cloner.owned, planner.voices, speech, planner.detector))

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def database(self) -> Database:
        return self.runtime.database

    @property
    def storage(self) -> Storage:
        return self.runtime.storage

    @property
    def engines(self) -> EngineRegistry:
        """Which engine speaks what."""
        return self.runtime.engines

    @property
    def upstream(self) -> Upstream | None:
        """The real ElevenLabs API, when a key is configured."""
        return self.runtime.upstream

    @property
    def metrics(self) -> Metrics:
        return self.runtime.metrics

    def stop(self) -> None:
        self.webhooks.stop()
        self.runner.stop()
        self.stt.close()
        self.tts.close()
        self.dubbing.close()
        self.speech.close()
        self.runtime.close()
