"""Everything that lives across requests, built at start-up and held by the app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from voicer.db import Database
from voicer.db.models import Task, TaskStatus
from voicer.language import LanguageDetector
from voicer.metrics import Metrics
from voicer.pipeline.workers import EngineFactory, default_engine
from voicer.ratelimit import RateLimiter
from voicer.settings import Settings
from voicer.speech import SpeechPool
from voicer.storage import LocalStorage
from voicer.tasks.execute import TaskExecutor
from voicer.tasks.runner import EmbeddedRunner, TaskRunner
from voicer.tasks.service import Planner
from voicer.tasks.throughput import PRIOR_PER_WORKER, ThroughputMeter
from voicer.voices import VoiceCatalogue

_HISTORY = 20  # recent tasks whose speed seeds the throughput estimate


@dataclass
class Services:
    settings: Settings
    database: Database
    storage: LocalStorage
    planner: Planner
    meter: ThroughputMeter
    limiter: RateLimiter
    runner: TaskRunner
    speech: SpeechPool
    metrics: Metrics

    @classmethod
    def start(cls, settings: Settings, engine: EngineFactory = default_engine) -> Services:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        database = Database(settings.database)
        database.migrate()
        storage = LocalStorage(settings.data_dir)
        planner = Planner(VoiceCatalogue.bundled(), LanguageDetector())
        meter = ThroughputMeter(_measured_rate(database) or PRIOR_PER_WORKER * settings.workers)
        metrics = Metrics(database)
        runner = EmbeddedRunner(database, settings.workers, lambda pool: TaskExecutor(
            database, storage, pool, planner.voices, meter, metrics), engine)
        runner.start()
        speech = SpeechPool(settings.speech_workers or settings.workers, engine)
        return cls(settings, database, storage, planner, meter, RateLimiter(settings), runner,
                   speech, metrics)

    def stop(self) -> None:
        self.runner.stop()
        self.speech.close()
        self.database.close()


def _measured_rate(database: Database) -> float | None:
    """Characters per second over the most recent completed tasks, if any."""
    with database.session() as session:
        recent = session.execute(
            select(Task.characters, Task.started_at, Task.completed_at)
            .where(Task.status == TaskStatus.completed, Task.started_at.is_not(None))
            .order_by(Task.completed_at.desc()).limit(_HISTORY)
        ).all()
    seconds = sum(_seconds(start, end) for _, start, end in recent)
    return sum(chars for chars, _, _ in recent) / seconds if seconds > 0 else None


def _seconds(start: datetime | None, end: datetime | None) -> float:
    return (end - start).total_seconds() if start and end else 0.0
