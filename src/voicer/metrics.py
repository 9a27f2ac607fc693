"""Prometheus metrics, in a registry the app holds (not the library's global one).

Task counts and queue depth are read from the database when scraped, so every
API process reports the same truth; latencies and errors are counted where they
happen, per process.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from voicer.db import Database
from voicer.db.tables import ACTIVE, ChunkStatus, Task, TaskChunk, TaskStatus


class Metrics:
    def __init__(self, database: Database) -> None:
        self.registry = CollectorRegistry()
        self.chunk_seconds = Histogram(
            "voicer_chunk_seconds", "Wall time from one finished chunk of a task to the next",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30), registry=self.registry)
        self.engine_errors = Counter(
            "voicer_engine_errors", "Tasks failed by the engine", registry=self.registry)
        self.upstream_errors = Counter(
            "voicer_upstream_errors", "Tasks failed by the ElevenLabs upstream",
            registry=self.registry)
        self.speech_requests = Counter(
            "voicer_speech_requests", "Synchronous text-to-speech requests", ["output_format"],
            registry=self.registry)
        self.speech_characters = Counter(
            "voicer_speech_characters", "Characters spoken by synchronous requests",
            registry=self.registry)
        self.registry.register(_TaskCollector(database))


class _TaskCollector(Collector):
    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.database.session() as session:
            counts = {status: count for status, count in session.execute(
                select(Task.status, func.count()).group_by(Task.status))}
            queued = session.scalar(
                select(func.count()).select_from(TaskChunk).join(Task)
                .where(Task.status.in_(ACTIVE), TaskChunk.status == ChunkStatus.pending)) or 0
        tasks = GaugeMetricFamily("voicer_tasks", "Tasks by status", labels=["status"])
        for status in TaskStatus:
            tasks.add_metric([status.value], counts.get(status.value, 0))
        yield tasks
        yield GaugeMetricFamily("voicer_queue_chunks", "Chunks waiting to be spoken",
                                value=queued)
