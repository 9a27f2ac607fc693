"""A recognition task's pieces: its audio cut at silences when it is accepted, each piece heard
on its own and recorded once, and the task assembled by whoever records the last.

    cut       when the task starts: its stored upload decoded and cut into pieces of at most
              28 s, their audio (16 kHz PCM) in the task's chunk folder of the storage, one
              row each
    hear      the first piece before the others (it settles the language, unless one was
              given), then the rest in any order, anywhere: in the API process's worker
              processes, or in ``voicer worker`` processes as Dramatiq messages. A piece heard
              twice (a message delivered again) is recorded once
    assemble  once every piece is heard: the pieces' words joined, the speakers told apart if
              asked, ``succeeded`` with the result; done again harmlessly by a second worker
    cancel    the pieces not heard yet are not; what was heard is the result, the rest refunded
    tell      ``succeeded`` and ``failed`` write an ``stt.completed`` or ``stt.failed`` event
              (``voicer.webhooks.events``) in the transaction that changes the status

The upload and the pieces' audio are removed as the task ends, however it ends.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voicer.db import Database
from voicer.db.database import rowcount
from voicer.db.tables import ChunkStatus, SttPiece, SttStatus, SttTask, utcnow
from voicer.recognition import speakers
from voicer.recognition.base import Recognizer, Segment, Transcript, Word
from voicer.recognition.chunking import cut
from voicer.recognition.clip import Clip, LongClip, decode_long
from voicer.recognition.exports import as_json
from voicer.storage import Storage
from voicer.voiceapi.rows import failed
from voicer.webhooks import events

LONGEST = 28.0  # seconds a piece lasts at most: one or two of Whisper's 30 s windows
UNFINISHED = (SttStatus.pending, SttStatus.processing)


class Pieces:
    """The pieces of recognition tasks, in the database and the storage."""

    def __init__(self, database: Database, storage: Storage, max_seconds: float) -> None:
        self.database = database
        self.storage = storage
        self.max_seconds = max_seconds  # the cap the upload was accepted under

    def prepare(self, task_id: str, longest: float = LONGEST) -> None:
        """Cut the task's upload into pieces, unless that was done; ``NotFound`` if its file
        is not in storage. Two at once store the same pieces and add the rows once."""
        with self.database.session() as session:
            if session.scalar(select(func.count()).where(SttPiece.task_id == task_id)):
                return
        clip = decode_long(io.BytesIO(self.storage.read_upload(task_id)), self.max_seconds)
        rows = []
        for index, piece in enumerate(cut(clip, longest)):
            samples = clip.pcm[int(piece.start * clip.rate):int(piece.end * clip.rate)]
            self.storage.put_chunk(task_id, index, samples.astype("<i2", copy=False).tobytes())
            rows.append({"task_id": task_id, "index": index, "start": piece.start,
                         "end": piece.end, "status": ChunkStatus.pending})
        with self.database.session() as session:
            try:
                session.execute(insert(SttPiece), rows)
                session.commit()
            except IntegrityError:  # cut at the same moment by another worker
                session.rollback()

    def start(self, task_id: str) -> SttTask | None:
        """The task, processing from now if it was pending; None once it has ended."""
        with self.database.session() as session:
            session.execute(update(SttTask).where(
                SttTask.id == task_id, SttTask.status == SttStatus.pending).values(
                status=SttStatus.processing, started_at=utcnow(), progress=1))
            session.commit()
            task = session.get(SttTask, task_id)
            if task is None or task.status != SttStatus.processing:
                return None
            session.expunge(task)
            return task

    def pending(self, task_id: str) -> list[int]:
        """The indexes of the pieces not heard yet, in order."""
        with self.database.session() as session:
            return list(session.scalars(select(SttPiece.index).where(
                SttPiece.task_id == task_id, SttPiece.status == ChunkStatus.pending)
                .order_by(SttPiece.index)))

    def clip(self, task_id: str, index: int) -> Clip:
        return Clip.from_pcm16(self.storage.read_chunk(task_id, index))

    def hear(self, task_id: str, index: int, recognizer: Recognizer) -> bool:
        """Hear one piece (the first settles the task's language) and record it; ``False``
        when the task has ended, or the piece was heard already."""
        task = self.start(task_id)
        if task is None:
            return False
        self.prepare(task_id)
        if index not in self.pending(task_id):
            return False
        return self.record(task_id, index, recognizer.recognize(self.clip(task_id, index),
                                                                task.language))

    def record(self, task_id: str, index: int, heard: Transcript) -> bool:
        """Keep what piece ``index`` was heard to say, once, and the task's progress."""
        with self.database.session() as session:
            piece = session.get(SttPiece, (task_id, index))
            assert piece is not None
            marked = session.execute(update(SttPiece).where(
                SttPiece.task_id == task_id, SttPiece.index == index,
                SttPiece.status == ChunkStatus.pending).values(
                status=ChunkStatus.done, result=_stored(heard, piece.start)))
            if rowcount(marked) != 1:
                session.rollback()
                return False
            heard_seconds = self.heard_seconds(task_id, session)
            task = session.get(SttTask, task_id)
            assert task is not None
            if task.status == SttStatus.processing:
                task.progress = max(1, min(99, int(100 * heard_seconds / max(task.duration, 1e-6))))
                if task.language is None:  # the first piece: its language is the file's
                    task.language = heard.language
            session.commit()
        return True

    def assemble(self, task_id: str) -> bool:
        """``succeeded`` with the result, once every piece is heard; ``False`` before (or once
        the task has ended). Harmless twice: one of two assemblies wins, the same."""
        task = self.start(task_id)
        if task is None or self.pending(task_id):
            return False
        transcript = self.heard(task_id, task.language or "", task.duration)
        if task.diarize:  # no transaction held open meanwhile: an hour's audio takes a while
            transcript = speakers.diarize(transcript, self._whole(task_id), task.num_speakers)
        with self.database.session() as session:
            finished = session.execute(update(SttTask).where(
                SttTask.id == task_id, SttTask.status == SttStatus.processing).values(
                status=SttStatus.succeeded, progress=100, completed_at=utcnow(),
                language=transcript.language, result=result(task_id, transcript)))
            if rowcount(finished) == 1:  # its event with it: the assembly that won tells
                done = session.get(SttTask, task_id, populate_existing=True)
                assert done is not None
                events.enqueue_stt(session, done, events.STT_COMPLETED)
            session.commit()
        if rowcount(finished) == 1:
            self.remove(task_id)
        return True

    def fail(self, task_id: str, message: str) -> None:
        """``failed``, saying why, with its characters given back, unless it has ended."""
        with self.database.session() as session:
            task = session.get(SttTask, task_id)
            if task is not None and task.status in UNFINISHED:
                failed(session, task, message)
                events.enqueue_stt(session, task, events.STT_FAILED)
            session.commit()
        self.remove(task_id)

    def remove(self, task_id: str) -> None:
        """The task's upload and pieces, out of storage: it has ended."""
        self.storage.remove_upload(task_id)
        self.storage.remove_chunks(task_id)

    def heard(self, task_id: str, language: str, duration: float) -> Transcript:
        """What the pieces heard so far say, in order, on the file's clock."""
        with self.database.session() as session:
            results = list(session.scalars(select(SttPiece.result).where(
                SttPiece.task_id == task_id, SttPiece.status == ChunkStatus.done)
                .order_by(SttPiece.index)))
        segments = tuple(_segment(stored) for piece in results if piece
                         for stored in piece["segments"])
        probability = float(results[0]["language_probability"]) if results and results[0] else 0.0
        return Transcript(segments, language, probability, duration)

    @staticmethod
    def heard_seconds(task_id: str, session: Session) -> float:
        """Seconds of the task's audio its heard pieces cover."""
        return float(session.scalar(
            select(func.coalesce(func.sum(SttPiece.end - SttPiece.start), 0.0))
            .where(SttPiece.task_id == task_id, SttPiece.status == ChunkStatus.done)) or 0.0)

    def _whole(self, task_id: str) -> LongClip:
        """The task's audio again, joined from its pieces (to tell its speakers apart), as
        16-bit samples: an hour is 115 MB."""
        with self.database.session() as session:
            indexes = list(session.scalars(select(SttPiece.index).where(
                SttPiece.task_id == task_id).order_by(SttPiece.index)))
        return LongClip(np.concatenate([LongClip.from_pcm16(self.storage.read_chunk(task_id, i)).pcm
                                        for i in indexes]))


def result(task_id: str, transcript: Transcript) -> dict[str, Any]:
    """What ``GET /v1/stt/{id}/result`` answers: the transcript in segments with speakers."""
    return {"task_id": task_id, **as_json(transcript)}


def _stored(heard: Transcript, start: float) -> dict[str, Any]:
    """A piece's transcript as a row keeps it, moved onto the file's clock."""
    def at(seconds: float) -> float:
        return round(seconds + start, 3)

    return {"language": heard.language, "language_probability": heard.language_probability,
            "segments": [{"start": at(s.start), "end": at(s.end), "text": s.text,
                          "words": [[w.text, at(w.start), at(w.end), w.probability]
                                    for w in s.words]} for s in heard.segments]}


def _segment(stored: dict[str, Any]) -> Segment:
    words = tuple(Word(text, start, end, probability)
                  for text, start, end, probability in stored["words"])
    return Segment(stored["start"], stored["end"], stored["text"], words)

