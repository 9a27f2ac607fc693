"""Run one task: render its unfinished chunks, store each, then assemble the output.

Every finished chunk is stored and recorded before the next one, so a task
interrupted at any point resumes where it stopped and never speaks a chunk twice.
A verified task's chunks are heard back before they are recorded (``voicer.pipeline.verify``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import nullcontext
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from voicer.books import BookTags
from voicer.captions.timeline import stored
from voicer.db import Database
from voicer.db.database import rowcount
from voicer.db.tables import ACTIVE, ChunkStatus, Task, TaskChunk, TaskStatus, utcnow
from voicer.errors import EngineError, EngineNotConfigured, UpstreamError, VoicerError
from voicer.metrics import Metrics
from voicer.models import LOCAL_ENGINE
from voicer.output import ChunkAudio
from voicer.pipeline.jobs import STITCHED_REQUESTS, ChunkJob, RenderSpec
from voicer.pipeline.plan import render_spec
from voicer.pipeline.render import ChunkRenderer, RenderedChunk
from voicer.pipeline.verify import ChunkVerifier, Heard
from voicer.pipeline.workload import rendered_work
from voicer.storage import Storage
from voicer.tasks import service
from voicer.tasks.lease import renewing
from voicer.tasks.throughput import ThroughputMeter
from voicer.voices import DEFAULT_VOICE_ID, Voices
from voicer.webhooks import events

log = logging.getLogger("voicer.tasks")

# A claim on a task's assembly not renewed this long is presumed dead (its worker died);
# the worker assembling renews it three times as often, however long the assembly takes.
ASSEMBLY_LEASE = timedelta(seconds=30)


def task_engine(voices: Voices, engine: str | None, options: dict[str, Any]) -> str:
    """The engine that speaks a task's chunks: the one it was accepted with. For a task
    accepted before that was kept, its voice's engine now; a voice that no longer resolves
    counts as espeak-ng's, whose rendering fails the task with the reason."""
    if engine is not None:
        return engine
    try:  # the stored options were validated at submit; read the one field, quickly
        return voices.get(str(options.get("voice_id") or DEFAULT_VOICE_ID)).engine
    except VoicerError:
        return LOCAL_ENGINE


class TaskExecutor:
    def __init__(self, database: Database, storage: Storage, renderers: Mapping[str, ChunkRenderer],
                 voices: Voices, meter: ThroughputMeter, metrics: Metrics,
                 assembly_lease: timedelta = ASSEMBLY_LEASE,
                 verifier: ChunkVerifier | None = None) -> None:
        self.metrics = metrics
        self.verifier = verifier  # hears a verified task's chunks back
        self.assembly_lease = assembly_lease
        self.database = database
        self.storage = storage
        self.renderers = renderers  # by engine name: the registry's ``renderers``
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
                self._assemble(task_id, claim=False)  # this runner is the only one
        except VoicerError as error:
            self._fail(task_id, error)

    def run_chunk(self, task_id: str, index: int) -> float | None:
        """Speak one chunk, as a job queue delivers it: at least once, maybe twice at once.

        A chunk already done is not spoken again; writing its audio twice is harmless and
        only the first record counts. Whoever records the task's last chunk assembles it.

        Returns in how many seconds this delivery should come again: when every chunk is done
        but another worker holds the assembly, which it may never finish (it died), the task
        is looked at again once that claim has expired. ``None``: nothing is left to do here.
        """
        try:
            with self.database.session() as session:
                task = self._start(session, task_id)
                if task is None:
                    return None
                options, engine = task.synthesis_options, task.engine
                # the chunk, its neighbours' texts, the request-ids of those before it
                jobs = [job for job in _pending_jobs(session, task_id, index - STITCHED_REQUESTS,
                                                     index + 1) if job.index == index]
            if jobs:
                spec = render_spec(options, self.voices, engine)
                started = time.perf_counter()
                for rendered, heard in self._rendered(spec, jobs, options.verify):
                    self.storage.put_chunk(task_id, rendered.index, rendered.segment.data)
                    if not self._record(task_id, rendered, heard):
                        return None  # cancelled
                self.metrics.chunk_seconds.observe(time.perf_counter() - started)
            if not self._assemble(task_id) and not jobs:
                # a repeated delivery, maybe of a worker that died assembling the task
                return self._claim_expires_in(task_id)
        except VoicerError as error:
            self._fail(task_id, error)
        return None

    def _fail(self, task_id: str, error: VoicerError) -> None:
        self.metrics.engine_errors.inc()
        if isinstance(error, UpstreamError):
            self.metrics.upstream_errors.inc()
        with self.database.session() as session:
            service.fail(session, task_id, error.message)

    def _renderer(self, spec: RenderSpec) -> ChunkRenderer:
        renderer = self.renderers.get(spec.voice.engine)
        if renderer is None:
            raise EngineNotConfigured(spec.voice.voice_id, spec.voice.engine)
        return renderer

    def _rendered(self, spec: RenderSpec, jobs: Iterable[ChunkJob],
                  verify: bool) -> Iterator[tuple[RenderedChunk, Heard | None]]:
        """``jobs`` rendered as each is done; heard back too, for a verified task."""
        renderer = self._renderer(spec)
        if not verify:
            yield from ((rendered, None) for rendered in renderer.render(spec, jobs))
            return
        if self.verifier is None:
            raise EngineError("a verified task needs the recognizer, which this process lacks")
        for chunk in self.verifier.render(renderer, spec, jobs):
            yield chunk.rendered, chunk.heard

    def _speak(self, task_id: str, should_pause: Callable[[int], bool]) -> bool:
        """Render the unfinished chunks; ``True`` when all are done."""
        with self.database.session() as session:
            task = self._start(session, task_id)
            if task is None:
                return False
            options, engine = task.synthesis_options, task.engine
            jobs = _pending_jobs(session, task_id)
        spec = render_spec(options, self.voices, engine)
        done = 0

        def handed_out() -> Iterator[ChunkJob]:
            for job in jobs:
                if should_pause(done):
                    return
                yield job

        last = time.perf_counter()
        for rendered, heard in self._rendered(spec, handed_out(), options.verify):
            self.storage.put_chunk(task_id, rendered.index, rendered.segment.data)
            if not self._record(task_id, rendered, heard):
                return False  # cancelled: what is in flight is dropped
            done += 1
            now = time.perf_counter()
            self.meter.record(spec.voice.engine, rendered_work(rendered.speech, rendered.duration),
                              rendered.wall)
            self.metrics.chunk_seconds.observe(now - last)
            last = now
        return done == len(jobs)

    def _start(self, session: Session, task_id: str) -> Task | None:
        task = session.get(Task, task_id)
        if task is None or task.status not in ACTIVE:
            return None
        if task.status == TaskStatus.pending:
            session.execute(update(Task).where(Task.id == task_id, Task.status == TaskStatus.pending)
                            .values(status=TaskStatus.processing, started_at=utcnow()))
            session.commit()
            session.refresh(task)
        return task if task.status == TaskStatus.processing else None

    def _record(self, task_id: str, rendered: RenderedChunk, heard: Heard | None = None) -> bool:
        """Mark a chunk done, once; ``False`` if the task was cancelled meanwhile."""
        verified = {} if heard is None else {"word_error_rate": heard.word_error_rate,
                                             "heard": heard.text, "attempts": heard.attempts}
        with self.database.session() as session:
            marked = session.execute(
                update(TaskChunk)
                .where(TaskChunk.task_id == task_id, TaskChunk.index == rendered.index,
                       TaskChunk.status == ChunkStatus.pending)
                .values(status=ChunkStatus.done, duration=rendered.duration,
                        speech=rendered.speech, rendered_at=utcnow(),
                        request_id=rendered.request_id, words=stored(rendered.words),
                        **verified)
            )
            if rowcount(marked) != 1:  # recorded by another delivery of the same chunk
                session.rollback()
                return True
            counted = session.execute(
                update(Task).where(Task.id == task_id, Task.status == TaskStatus.processing)
                .values(chunks_completed=Task.chunks_completed + 1,
                        audio_seconds=Task.audio_seconds + rendered.duration)
            )
            if rowcount(counted) != 1:
                session.rollback()
                return False
            session.commit()
        return True

    def _claim_assembly(self, session: Session, task_id: str) -> bool:
        """One worker assembles a task: the first to claim it once every chunk is done.
        A claim not renewed for ``assembly_lease`` is taken over (its worker died)."""
        now = utcnow()
        claimed = session.execute(
            update(Task).where(
                Task.id == task_id, Task.status == TaskStatus.processing,
                Task.chunks_completed >= Task.chunks_total,
                or_(Task.assembly_claimed_at.is_(None),
                    Task.assembly_claimed_at < now - self.assembly_lease))
            .values(assembly_claimed_at=now))
        session.commit()
        return rowcount(claimed) == 1

    def _claim_expires_in(self, task_id: str) -> float | None:
        """Seconds until another worker's claim on a finished task's assembly expires, if it
        stops renewing it."""
        with self.database.session() as session:
            task = session.get(Task, task_id)
            if (task is None or task.status != TaskStatus.processing
                    or task.chunks_completed < task.chunks_total
                    or task.assembly_claimed_at is None):
                return None
            expires = task.assembly_claimed_at + self.assembly_lease - utcnow()
            return max(expires.total_seconds(), 0.0) + 1.0

    def _assemble(self, task_id: str, claim: bool = True) -> bool:
        """Assemble the task's output; ``False`` if this worker did not get the claim."""
        with self.database.session() as session:
            if claim and not self._claim_assembly(session, task_id):
                return False
        with (renewing(self.assembly_lease, partial(self._renew, task_id), f"task {task_id}")
              if claim else nullcontext()):
            self._write_output(task_id)
        return True

    def _renew(self, task_id: str) -> None:
        """Write this worker's claim on the task's assembly again."""
        with self.database.session() as session:
            session.execute(update(Task).where(Task.id == task_id,
                                               Task.status == TaskStatus.processing)
                            .values(assembly_claimed_at=utcnow()))
            session.commit()

    def _write_output(self, task_id: str) -> None:
        """Join the task's chunks into its output in storage, and complete the task."""
        with self.database.session() as session:
            task = session.get(Task, task_id)
            if task is None:
                return
            output_file = task.synthesis_options.output_file
            tags = BookTags.from_json(task.book) if task.book else None
            chunks = session.scalars(select(TaskChunk).where(TaskChunk.task_id == task_id)
                                     .order_by(TaskChunk.index))
            with (self.storage.write_output(task_id, output_file.suffix) as file,
                  output_file.open(file, tags) as output):
                for chunk in chunks:
                    output.add(ChunkAudio(
                        chunk.index, chunk.text, chunk.text_offset,
                        self.storage.read_chunk(task_id, chunk.index),
                        chunk.duration or 0.0, chunk.speech or 0.0, chunk.gap or 0.0,
                        chunk.words or (), word_error_rate=chunk.word_error_rate,
                        heard=chunk.heard, attempts=chunk.attempts,
                    ))
            finished = session.execute(
                update(Task).where(Task.id == task_id, Task.status == TaskStatus.processing)
                .values(status=TaskStatus.completed, completed_at=utcnow())
            )
            if rowcount(finished) == 1:
                events.enqueue(session, task, events.COMPLETED)
            session.commit()
        if rowcount(finished) == 1:
            self.storage.remove_chunks(task_id)


def _pending_jobs(session: Session, task_id: str, first: int = 0,
                  last: int | None = None) -> list[ChunkJob]:
    """Jobs for the pending chunks among ``first``..``last``, each with its neighbours' texts
    and the request-ids of the chunks spoken right before it (a chunk outside the range, or
    past either end, counts as none)."""
    query = select(TaskChunk.index, TaskChunk.text, TaskChunk.language, TaskChunk.gap,
                   TaskChunk.status, TaskChunk.request_id,
                   TaskChunk.context).where(TaskChunk.task_id == task_id, TaskChunk.index >= first)
    if last is not None:
        query = query.where(TaskChunk.index <= last)
    rows = session.execute(query.order_by(TaskChunk.index)).all()
    texts = {index: text for index, text, *_ in rows}
    request_ids = {index: request_id for index, _, _, _, status, request_id, _ in rows
                   if status == ChunkStatus.done and request_id}

    def stitched(index: int) -> tuple[str, ...]:
        """The request-ids of the done chunks right before ``index``, oldest first."""
        found: list[str] = []
        for before in range(index - 1, index - 1 - STITCHED_REQUESTS, -1):
            if before not in request_ids:
                break
            found.append(request_ids[before])
        return tuple(reversed(found))

    return [ChunkJob(index, text, language, gap, texts.get(index - 1, ""),
                     texts.get(index + 1, ""), stitched(index), context or "")
            for index, text, language, gap, status, _, context in rows
            if status == ChunkStatus.pending]
