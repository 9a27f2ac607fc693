"""Recognition tasks (the Voice API's ``/v1/stt``): accepted at once, recognised in the background,
a piece at a time (``voicer.recognition.pieces``), where speech tasks are spoken.

    submit   the upload is decoded (refused if it is not audio or too long), its cost reserved
             from the quota, the file stored and a ``pending`` row written, all before the
             answer
    run      without a broker, in a thread of the API process, one task at a time: the file cut
             into pieces at silences, the first heard, then the others by ``VOICER_STT_WORKERS``
             worker processes in parallel (``voicer.recognition.parallel``). With a broker
             (``VOICER_BROKER_URL``), as Dramatiq messages, one per piece, heard by ``voicer
             worker`` processes: the first piece's message is enqueued at submit, and the worker
             that hears it enqueues the others. A piece whose worker died is delivered again
             (``voicer.tasks.queue``) and recorded once. Either way ``processing`` with
             ``progress`` as pieces are recorded, then ``succeeded`` with the result, or
             ``failed`` with the characters refunded
    cancel   the task ends at once; the pieces being heard are dropped: what was heard before
             is its result, the audio not heard is refunded
    recover  at start-up: a task an earlier process left unfinished (stopped or killed) goes on
             from the pieces it had not heard (without a broker; with one, they are enqueued
             again, and a piece queued twice is heard once)

The file and its pieces are kept in storage only while the task runs: they are removed as the
task ends, however it ends.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
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
from voicer.recognition.charge import audio_characters
from voicer.recognition.languages import whisper_language
from voicer.recognition.listener import Listener
from voicer.recognition.parallel import ParallelRecognizer
from voicer.recognition.pieces import UNFINISHED, Pieces, result
from voicer.storage import Storage
from voicer.voiceapi.rows import owned

# Hands piece ``index`` of a task to the queue, for a ``voicer worker`` to hear.
HandOn = Callable[[str, int], None]

log = logging.getLogger("voicer.stt")


@dataclass(frozen=True, slots=True)
class SttRequest:
    filename: str
    language: str | None = None  # ISO 639-1 or 639-3; None: detected
    diarize: bool = True
    num_speakers: int | None = None
    model_id: str = "whisper"
    webhook_url: str | None = None  # checked by the caller; None: the owner's default


class SttTasks:
    """Every recognition task of this API process; started and stopped with the app."""

    def __init__(self, database: Database, storage: Storage, listener: Listener,
                 recognizer: ParallelRecognizer, hand_on: HandOn | None = None) -> None:
        self.database = database
        self.storage = storage  # each task's file and pieces, while it runs
        self.listener = listener
        self.recognizer = recognizer  # the parallel one, started on the first task
        self.pieces = Pieces(database, storage, listener.settings.max_audio_seconds)
        self.hand_on = hand_on  # None: recognised here
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="stt")

    def recover(self) -> int:
        """Go on with the tasks an earlier process left unfinished, from the pieces they had
        not heard; how many there were."""
        with self.database.session() as session:
            left = list(session.scalars(select(SttTask.id).where(SttTask.status.in_(UNFINISHED))
                                        .order_by(SttTask.created_at)))
        for task_id in left:
            if self.hand_on is None:
                self._pool.submit(self._run, task_id)
                continue
            pending = self.pieces.pending(task_id)
            # the first piece first (it may not be cut yet); with none left, one message assembles
            for index in ([0] if not pending or pending[0] == 0 else pending):
                self.hand_on(task_id, index)
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
                           characters=self.listener.cost(clip),
                           webhook_url=request.webhook_url)
            reserve_characters(session, user.id, task.characters)
            session.add(task)
            self.storage.put_upload(task.id, file.read())  # before the commit: kept if accepted
            session.commit()
            session.refresh(task)
            session.expunge(task)
        if self.hand_on is None:
            self._pool.submit(self._run, task.id)
        else:
            self.hand_on(task.id, 0)
        return task

    def cancel(self, user: User, task_id: str) -> SttTask:
        """Stop the caller's task: ``Conflict`` if it has ended already. What its pieces heard
        is its result; the audio not heard is refunded."""
        with self.database.session() as session:
            task = get(session, user, task_id)
            stopped = session.execute(update(SttTask).where(
                SttTask.id == task_id, SttTask.status.in_(UNFINISHED)).values(
                status=SttStatus.cancelled, completed_at=utcnow()))
            if rowcount(stopped) != 1:
                raise Conflict(f"stt task {task_id} is {task.status}; only a pending or "
                               "processing task can be cancelled")
            session.refresh(task)
            self._stopped(session, task)
            session.commit()
            session.refresh(task)
            session.expunge(task)
        self.pieces.remove(task_id)
        return task

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.recognizer.close()

    def _run(self, task_id: str) -> None:
        """Hear what is left of the task here: the first piece, then the others in batches,
        one a worker process, until they are done or the task has ended."""
        task = self.pieces.start(task_id)
        if task is None:
            return  # cancelled while it waited
        try:
            self.pieces.prepare(task_id, self.recognizer.longest)
            batch = 2 * max(1, self.recognizer.processes)  # two pieces a process: few idle moments
            while pending := self.pieces.pending(task_id):
                task = self.pieces.start(task_id)
                if task is None:
                    return  # cancelled
                # the first piece alone: it settles the language the others are heard in
                indexes = pending[:1] if task.language is None else pending[:batch]
                self._hear(task_id, indexes, task.language)
            self.pieces.assemble(task_id)
        except Exception as error:
            log.exception("recognition task %s failed", task_id)
            self.pieces.fail(task_id, f"recognition failed: {error}")

    def _hear(self, task_id: str, indexes: list[int], language: str | None) -> None:
        clips = [self.pieces.clip(task_id, index) for index in indexes]
        for index, heard in zip(indexes, self.recognizer.recognize_pieces(clips, language),
                                strict=True):
            self.pieces.record(task_id, index, heard)

    def _stopped(self, session: Session, task: SttTask) -> None:
        """Cancelled: what was heard is the result; the audio not heard is refunded."""
        heard_seconds = Pieces.heard_seconds(task.id, session)
        rate = self.listener.settings.stt_characters_per_second
        kept = min(task.characters, audio_characters(heard_seconds, rate)) if heard_seconds else 0
        refund_characters(session, task.user_id, task.characters - kept)
        if not heard_seconds:
            task.error = "cancelled before it started"
        else:
            heard = self.pieces.heard(task.id, task.language or "", heard_seconds)
            task.error = (f"cancelled after {heard_seconds:,.1f} of {task.duration:,.1f} s; "
                          "the rest was refunded")
            task.result, task.language = result(task.id, heard), heard.language
        task.characters = kept


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
