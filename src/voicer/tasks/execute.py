"""Run one task: render its unfinished chunks, store each, then assemble the output.

Every finished chunk is stored and recorded before the next one, so a task
interrupted at any point resumes where it stopped and never speaks a chunk twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from voicer.db import Database
from voicer.db.engine import rowcount
from voicer.db.models import ACTIVE, ChunkStatus, Task, TaskChunk, TaskStatus, utcnow
from voicer.errors import EngineError, VoicerError
from voicer.metrics import Metrics
from voicer.output import ChunkAudio, open_output
from voicer.pipeline.jobs import ChunkJob
from voicer.pipeline.plan import SynthesisOptions, render_spec
from voicer.pipeline.render import ChunkRenderer, RenderedChunk
from voicer.storage import Storage
from voicer.tasks import service
from voicer.tasks.throughput import ThroughputMeter
from voicer.voices import Voices


class TaskExecutor:
    def __init__(self, database: Database, storage: Storage, renderers: Mapping[str, ChunkRenderer],
                 voices: Voices, meter: ThroughputMeter, metrics: Metrics) -> None:
        self.metrics = metrics
        self.database = database
        self.storage = storage
        self.renderers = renderers  # by engine name
        self.voices = voices
        self.meter = meter

    def run(self, task_id: str, should_pause: Callable[[int], bool] = lambda done: False) -> None:
        """Speak what is left of ``task_id``.

        ``should_pause(chunks done in this run)`` is asked before each new chunk is handed
        out: once it says yes, the chunks in flight are finished and recorded, and the task
        is left to be resumed (another task's turn, or a shutdown).
        """
        try:
            if self._speak(task_id, should_pause):
                self._assemble(task_id)
        except VoicerError as error:
            self.metrics.engine_errors.inc()
            with self.database.session() as session:
                service.fail(session, task_id, error.message)

    def _speak(self, task_id: str, should_pause: Callable[[int], bool]) -> bool:
        """Render the unfinished chunks; ``True`` when all are done."""
        with self.database.session() as session:
            task = self._start(session, task_id)
            if task is None:
                return False
            options = SynthesisOptions.model_validate(task.options)
            chunks = session.execute(select(TaskChunk.index, TaskChunk.text, TaskChunk.language,
                                            TaskChunk.gap, TaskChunk.status)
                                     .where(TaskChunk.task_id == task_id)
                                     .order_by(TaskChunk.index)).all()
        texts = ["", *(text for _, text, _, _, _ in chunks), ""]
        jobs = [ChunkJob(index, text, language, gap, texts[number - 1], texts[number + 1])
                for number, (index, text, language, gap, status) in enumerate(chunks, start=1)
                if status == ChunkStatus.pending]
        spec = render_spec(options, self.voices)
        renderer = self.renderers.get(spec.voice.engine)
        if renderer is None:
            raise EngineError(f"voice {spec.voice.voice_id!r} needs the {spec.voice.engine} engine, "
                              "which is not configured")
        lengths = {job.index: len(job.text) for job in jobs}
        done = 0

        def handed_out() -> Iterator[ChunkJob]:
            for job in jobs:
                if should_pause(done):
                    return
                yield job

        last = time.perf_counter()
        for rendered in renderer.render(spec, handed_out()):
            self.storage.put_chunk(task_id, rendered.index, rendered.segment.data)
            if not self._record(task_id, rendered):
                return False  # cancelled: what is in flight is dropped
            done += 1
            now = time.perf_counter()
            self.meter.record(lengths[rendered.index], now - last)
            self.metrics.chunk_seconds.observe(now - last)
            last = now
        return done == len(jobs)

    def _start(self, session: Session, task_id: str) -> Task | None:
        task = session.get(Task, task_id)
        if task is None or task.status not in ACTIVE:
            return None
        task.status = TaskStatus.processing
        task.started_at = task.started_at or utcnow()
        session.commit()
        return task

    def _record(self, task_id: str, rendered: RenderedChunk) -> bool:
        """Mark a chunk done; ``False`` if the task was cancelled meanwhile."""
        with self.database.session() as session:
            counted = session.execute(
                update(Task).where(Task.id == task_id, Task.status == TaskStatus.processing)
                .values(chunks_completed=Task.chunks_completed + 1,
                        audio_seconds=Task.audio_seconds + rendered.duration)
            )
            if rowcount(counted) != 1:
                return False
            session.execute(
                update(TaskChunk)
                .where(TaskChunk.task_id == task_id, TaskChunk.index == rendered.index)
                .values(status=ChunkStatus.done, duration=rendered.duration,
                        speech=rendered.speech, rendered_at=utcnow())
            )
            session.commit()
        return True

    def _assemble(self, task_id: str) -> None:
        with self.database.session() as session:
            task = session.get(Task, task_id)
            if task is None or task.status != TaskStatus.processing:
                return
            split = bool(task.options.get("split_output"))
            suffix = ".zip" if split else ".mp3"
            chunks = session.scalars(select(TaskChunk).where(TaskChunk.task_id == task_id)
                                     .order_by(TaskChunk.index))
            with self.storage.write_output(task_id, suffix) as file, open_output(file, split) as output:
                for chunk in chunks:
                    output.add(ChunkAudio(
                        chunk.index, chunk.text, chunk.text_offset,
                        self.storage.read_chunk(task_id, chunk.index),
                        chunk.duration or 0.0, chunk.speech or 0.0, chunk.gap or 0.0,
                    ))
            finished = session.execute(
                update(Task).where(Task.id == task_id, Task.status == TaskStatus.processing)
                .values(status=TaskStatus.completed, completed_at=utcnow())
            )
            session.commit()
        if rowcount(finished) == 1:
            self.storage.remove_chunks(task_id)
