"""The Voice API's text-to-speech tasks (``/v1/tts``): a script accepted at once, spoken in the
background into one MP3.

    submit   the script is parsed (speakers, cues), every voice checked and its characters
             reserved from the quota, a ``pending`` row written, all before the answer
    run      in a thread of the API process, through the synchronous speech workers: each line
             in its speaker's voice (``voicer.elevenlabs.dialogue``), ``progress`` by the line,
             the MP3 written to storage; ``succeeded``, or ``failed`` with the characters
             refunded
    recover  at start-up: a task an earlier process left unfinished is failed and refunded

They run in the API process that accepted them, broker or not (recognition and dubbing go on
the queue when there is one); long texts belong in Voicer tasks (``/api/v1/voice/synthesize``),
which scale out.
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voicer.accounts import reserve_characters
from voicer.db import Database
from voicer.db.tables import SpeechTask, SttStatus, User, utcnow
from voicer.elevenlabs.dialogue import Turn, speak
from voicer.encoding.formats import parse_format
from voicer.errors import Conflict, InvalidInput
from voicer.language import LanguageDetector
from voicer.pipeline.plan import check_text
from voicer.speech import SpeechPool, SpeechRequest
from voicer.storage import Storage, Stored
from voicer.voice_settings import VoiceSettings
from voicer.voiceapi.rows import changed, failed, failed_now, owned
from voicer.voiceapi.script import Line, parse
from voicer.voices import Voices

log = logging.getLogger("voicer.tts")

OUTPUT = parse_format("mp3_44100_128")
SUFFIX = ".mp3"
MAX_CHARACTERS = 100_000  # per script; longer texts are Voicer tasks
UNFINISHED = (SttStatus.pending, SttStatus.processing)


@dataclass(frozen=True, slots=True)
class Script:
    text: str
    model_ids: list[str]
    model_id: str  # the model every line is spoken with (its engine's languages)
    speed: float = 1.0


class SpeechTasks:
    """Every Voice API speech task of this API process; started and stopped with the app."""

    def __init__(self, database: Database, storage: Storage, voices: Voices, speech: SpeechPool,
                 detector: LanguageDetector) -> None:
        self.database = database
        self.storage = storage
        self.voices = voices
        self.speech = speech
        self.detector = detector
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="tts")

    def recover(self) -> int:
        """Fail and refund the tasks an earlier process left unfinished; how many there were."""
        with self.database.session() as session:
            left = list(session.scalars(select(SpeechTask).where(SpeechTask.status.in_(UNFINISHED))))
            for task in left:
                failed(session, task, "the server restarted before the text was spoken; submit "
                                     "it again (its characters were refunded)")
            session.commit()
        return len(left)

    def submit(self, user: User, script: Script) -> SpeechTask:
        """Accept ``script``: parsed, checked and charged, then queued; ``InvalidInput`` or
        ``QuotaExceeded`` (nothing charged) otherwise."""
        lines = parse(script.text, script.model_ids)
        turns = self._turns(lines, script)
        characters = sum(len(line.text) for line in lines)
        if characters > MAX_CHARACTERS:
            raise InvalidInput("text", f"text: {characters:,} characters to speak; /v1/tts takes "
                                       f"at most {MAX_CHARACTERS:,} (use a Voicer task for more)")
        with self.database.session() as session:
            task = SpeechTask(id=str(uuid.uuid4()), user_id=user.id, status=SttStatus.pending,
                              progress=0, characters=characters,
                              lines=[{"text": line.text, "speaker": line.speaker,
                                      "voice_id": line.voice_id} for line in lines])
            reserve_characters(session, user.id, characters)
            session.add(task)
            session.commit()
            session.refresh(task)
            session.expunge(task)
        self._pool.submit(self._run, task.id, turns)
        return task

    def audio(self, session: Session, user: User, task_id: str) -> Stored:
        """The MP3 of the caller's task; ``Conflict`` until it has succeeded."""
        task = get(session, user, task_id)
        if task.status != SttStatus.succeeded:
            raise Conflict(f"tts task {task_id} is {task.status}; download its audio once it has "
                           "succeeded")
        return self.storage.open_output(task_id, SUFFIX)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _turns(self, lines: list[Line], script: Script) -> list[Turn]:
        settings = VoiceSettings(speed=script.speed)
        turns = []
        for line in lines:
            check_text(line.text)
            voice = self.voices.get(line.voice_id)
            turns.append(Turn(line.text, SpeechRequest(voice, self.voices.model(script.model_id, voice),
                                                       settings, OUTPUT)))
        return turns

    def _run(self, task_id: str, turns: list[Turn]) -> None:
        self._update(task_id, status=SttStatus.processing, started_at=utcnow(), progress=1)
        spoken, seconds = 0, 0.0
        try:
            with self.storage.write_output(task_id, SUFFIX) as file, self.speech.lease() as pool:
                for piece in speak(turns, OUTPUT, pool, self.voices, self.detector):
                    file.write(piece.audio.audio)
                    segment = piece.segment
                    if segment is None:
                        continue
                    seconds = segment.end
                    if segment.turn + 1 > spoken:  # a line begun: say how far the script is
                        spoken = segment.turn + 1
                        self._update(task_id, progress=max(1, 100 * segment.turn // len(turns)))
        except Exception as error:
            log.exception("speech task %s failed", task_id)
            failed_now(self.database, SpeechTask, task_id, f"speaking failed: {error}")
            return
        self._update(task_id, status=SttStatus.succeeded, progress=100, completed_at=utcnow(),
                     duration=round(seconds, 3))

    def _update(self, task_id: str, **values: Any) -> None:
        changed(self.database, SpeechTask, task_id, **values)


def get(session: Session, user: User, task_id: str) -> SpeechTask:
    """The caller's task; another user's is as unknown as a missing one."""
    return owned(session, SpeechTask, user, task_id, "tts")
