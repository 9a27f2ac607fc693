"""Recognition tasks (the Voice API's ``/v1/stt``): accepted at once, recognised in the background.

    submit   the upload is decoded (refused if it is not audio or too long), its cost reserved
             from the quota, the file stored and a ``pending`` row written, all before the
             answer
    run      one task at a time, in a thread of the API process: the stored file decoded
             again, cut at silences into pieces of at most 28 s, recognised in parallel by
             ``VOICER_STT_WORKERS`` worker processes (``voicer.recognition.parallel``);
             ``processing`` with ``progress`` as pieces are done, then ``succeeded`` with the
             result, or ``failed`` with the characters refunded
    cancel   a pending task ends at once, refunded; a processing one stops after the pieces
             being recognised: what they heard is its result, the audio not heard is refunded
    recover  at start-up: a task an earlier process left unfinished (it was stopped or killed)
             is queued again and recognised from the start of its stored file; this assumes
             one API process runs recognition tasks (they are not on the Dramatiq queue)

The file is kept in storage (``uploads/<task_id>``) only while its task runs: it is removed
as the task ends, however it ends.
"""

from __future__ import annotations

import io
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from voicer.accounts import refund_characters, reserve_characters
from voicer.db import Database
from voicer.db.database import rowcount
from voicer.db.tables import SttStatus, SttTask, User, utcnow
from voicer.errors import Conflict
from voicer.recognition import speakers
from voicer.recognition.base import Progress, Transcript
from voicer.recognition.charge import audio_characters
from voicer.recognition.exports import as_json
from voicer.recognition.languages import whisper_language
from voicer.recognition.listener import Listener
from voicer.recognition.parallel import ParallelRecognizer
from voicer.storage import Storage
from voicer.voiceapi.rows import changed, failed_now, owned

log = logging.getLogger("voicer.stt")

UNFINISHED = (SttStatus.pending, SttStatus.processing)


@dataclass(frozen=True, slots=True)
class SttRequest:
    filename: str
    language: str | None = None  # ISO 639-1 or 639-3; None: detected
    diarize: bool = True
    num_speakers: int | None = None
    model_id: str = "whisper"


class SttTasks:
    """Every recognition task of this API process; started and stopped with the app."""

    def __init__(self, database: Database, storage: Storage, listener: Listener,
                 recognizer: ParallelRecognizer) -> None:
        self.database = database
        self.storage = storage  # each task's file, while it runs
        self.listener = listener
        self.recognizer = recognizer  # the parallel one, started on the first task
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="stt")
        self._cancelled: set[str] = set()  # processing tasks asked to stop

    def recover(self) -> int:
        """Queue again, from the start of their audio, the tasks an earlier process left
        unfinished; how many there were. (One API process runs recognition tasks.)"""
        with self.database.session() as session:
            left = list(session.scalars(select(SttTask.id).where(SttTask.status.in_(UNFINISHED))
                                        .order_by(SttTask.created_at)))
            session.execute(update(SttTask).where(SttTask.id.in_(left))
                            .values(status=SttStatus.pending, progress=0))
            session.commit()
        for task_id in left:
            self._pool.submit(self._run, task_id)
        return len(left)

    def submit(self, user: User, file: BinaryIO, request: SttRequest) -> SttTask:
        """Accept ``file``: decoded, charged and queued; ``InvalidInput`` or ``QuotaExceeded``
        (nothing charged) otherwise."""
        self.listener.recognizers.engine_of(request.model_id)  # a model id that routes here
        language = whisper_language(request.language, "language")
        clip = self.listener.clip(file)
        file.seek(0)
        with self.database.session() as session:
            task = SttTask(id=str(uuid.uuid4()), user_id=user.id, status=SttStatus.pending,
                           progress=0, filename=request.filename[:200], language=language,
                           diarize=request.diarize, num_speakers=request.num_speakers,
                           duration=round(clip.duration, 3),
                           characters=self.listener.cost(clip))
            reserve_characters(session, user.id, task.characters)
            session.add(task)
            self.storage.put_upload(task.id, file.read())  # before the commit: kept if accepted
            session.commit()
            session.refresh(task)
            session.expunge(task)
        self._pool.submit(self._run, task.id)
        return task

    def cancel(self, user: User, task_id: str) -> SttTask:
        """Stop the caller's task: ``Conflict`` if it has ended already."""
        with self.database.session() as session:
            task = get(session, user, task_id)
            if task.status not in UNFINISHED:
                raise Conflict(f"stt task {task_id} is {task.status}; only a pending or "
                               "processing task can be cancelled")
            self._cancelled.add(task_id)
            stopped = session.execute(update(SttTask).where(
                SttTask.id == task_id, SttTask.status == SttStatus.pending).values(
                status=SttStatus.cancelled, completed_at=utcnow(),
                error="cancelled before it started"))
            if rowcount(stopped):
                refund_characters(session, task.user_id, task.characters)
            session.commit()
            if rowcount(stopped):
                self.storage.remove_upload(task_id)
            session.refresh(task)
            session.expunge(task)
            return task

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.recognizer.close()

    def _run(self, task_id: str) -> None:
        task = self._start(task_id)
        if task is None:
            return  # cancelled while it waited
        try:
            self._recognize(task)
        finally:
            self.storage.remove_upload(task_id)
            self._cancelled.discard(task_id)

    def _recognize(self, task: SttTask) -> None:
        task_id = task.id
        try:
            clip = self.listener.clip(io.BytesIO(self.storage.read_upload(task_id)))
            transcript = self.recognizer.recognize(clip, task.language,
                                                   self._progress(task_id, clip.duration),
                                                   lambda: task_id in self._cancelled)
            if task.diarize:
                transcript = speakers.diarize(transcript, clip, task.num_speakers)
        except Exception as error:
            log.exception("recognition task %s failed", task_id)
            failed_now(self.database, SttTask, task_id, f"recognition failed: {error}")
            return
        if task_id in self._cancelled and transcript.duration < clip.duration:
            self._stopped(task_id, transcript)
            return
        self._update(task_id, status=SttStatus.succeeded, progress=100, completed_at=utcnow(),
                     language=transcript.language, result=result(task_id, transcript))

    def _start(self, task_id: str) -> SttTask | None:
        """The task, now processing; None if it is no longer pending (cancelled)."""
        with self.database.session() as session:
            started = session.execute(update(SttTask).where(
                SttTask.id == task_id, SttTask.status == SttStatus.pending).values(
                status=SttStatus.processing, started_at=utcnow(), progress=1))
            session.commit()
            task = session.get(SttTask, task_id) if rowcount(started) == 1 else None
            if task is not None:
                session.expunge(task)
            return task

    def _stopped(self, task_id: str, heard: Transcript) -> None:
        """Cancelled midway: what was heard is the result; the audio not heard is refunded."""
        with self.database.session() as session:
            task = session.get(SttTask, task_id)
            assert task is not None
            rate = self.listener.settings.stt_characters_per_second
            kept = min(task.characters, audio_characters(heard.duration, rate))
            refund_characters(session, task.user_id, task.characters - kept)
            task.status, task.completed_at = SttStatus.cancelled, utcnow()
            task.error = (f"cancelled after {heard.duration:,.1f} of {task.duration:,.1f} s; "
                          "the rest was refunded")
            task.characters, task.result, task.language = kept, result(task_id, heard), heard.language
            session.commit()

    def _progress(self, task_id: str, duration: float) -> Progress:
        def heard(seconds: float) -> None:  # once a batch of pieces is back
            if duration > 0:
                self._update(task_id, progress=max(1, min(99, int(100 * seconds / duration))))

        return heard

    def _update(self, task_id: str, **values: Any) -> None:
        changed(self.database, SttTask, task_id, **values)


def get(session: Session, user: User, task_id: str) -> SttTask:
    """The caller's task; another user's is as unknown as a missing one."""
    return owned(session, SttTask, user, task_id, "stt")


def finished(session: Session, user: User, task_id: str) -> dict[str, Any]:
    """The result of the caller's task (what was heard, for one cancelled midway);
    ``Conflict`` until it has one."""
    task = get(session, user, task_id)
    if task.result is None:
        raise Conflict(f"stt task {task_id} is {task.status}; read its result once it has "
                       "succeeded")
    return task.result


def result(task_id: str, transcript: Transcript) -> dict[str, Any]:
    """What ``GET /v1/stt/{id}/result`` answers: the transcript in segments with speakers."""
    return {"task_id": task_id, **as_json(transcript)}
