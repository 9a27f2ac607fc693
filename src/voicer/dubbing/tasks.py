"""Dubbing projects, made in the background with progress, like the Voice API's tasks.

    submit   the upload is decoded (refused if it is not audio or too long), cut to
             ``start_time``..``end_time``, its cost reserved from the quota — one second of
             audio costs ``VOICER_DUBBING_CHARACTERS_PER_SECOND`` characters, rounded up — the
             file stored and a ``dubbing`` row written, all before the answer
    run      recognised (0-40 %; over 28 s by the recognition worker processes, as ``/v1/stt``
             tasks are), speakers told apart and each given a voice, the background isolated
             (40-60 %), every segment spoken and fitted to its time (60-95 %), mixed and kept
             as MP3: ``dubbed``; or ``failed`` with the characters refunded; either way a
             ``dubbing.completed`` or ``dubbing.failed`` event for its ``webhook_url`` or its
             owner's default, written with the change
    render   a language spoken again from the resource as edited; the characters of the dubs
             changed since the last render are charged, and refunded if it fails
    recover  at start-up, without a broker: a project an earlier process left ``dubbing`` is
             made again from its stored upload; a render left ``processing`` is marked
             ``failed``, refunded
    delete   the row and every file of the project

Where it runs. Without a broker (the embedded runner's mode), projects and renders are made in
a thread of the API process that took them. With one (``VOICER_BROKER_URL``), the API node only
stores the upload and enqueues a Dramatiq message (``voicer.tasks.queue``: ``DUB``, ``RENDER``);
a ``voicer worker`` process makes it, calling the same ``DubbingTasks.run`` (or ``make_render``)
the thread calls. A project's maker claims its row and renews the claim while it works, so a
message delivered twice (a worker killed mid-dub is noticed after ``VOICER_WORKER_HEARTBEAT``
seconds and its message delivered again) makes the project once: the second delivery waits
until the first claim has expired, then makes it again from the stored upload, or finds it
made. A render is made only while the resource still says it is ``processing``, and finished
(or refunded) once. A project an API node accepted but never enqueued (it died in between, or
Redis was away) is enqueued by the reconcile of the queue runner.

Translation is not done here: no permissively licensed translation model ships its weights on
PyPI (argostranslate fetches its models from its own index at run time), so a local dubbing
speaks the source language (re-voicing). A ``target_lang`` other than the given
``source_lang`` is relayed to the ElevenLabs upstream when one is configured — the upload
sent on, the project's reads and edits relayed under Voicer's own id, charged by the same
rule and refunded if the upstream fails it — and refused naming the field otherwise.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, BinaryIO, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from voicer import isolation
from voicer.accounts import paid, refund_characters, reserve_characters
from voicer.audio import Audio
from voicer.db import Database
from voicer.db.database import rowcount
from voicer.db.tables import DubbingProject, User, utcnow
from voicer.dubbing import resource as resources
from voicer.dubbing import voicing
from voicer.encoding.formats import parse_format
from voicer.encoding.streams import encode_whole
from voicer.errors import Conflict, InvalidInput, NotFound
from voicer.recognition import speakers
from voicer.recognition.base import Recognizer
from voicer.recognition.charge import audio_characters
from voicer.recognition.clip import RATE, Clip, decode
from voicer.recognition.languages import whisper_language
from voicer.recognition.listener import LONG_AUDIO, Listener
from voicer.speech import SpeechPool
from voicer.storage import Storage
from voicer.tasks.lease import renewing
from voicer.upstream.client import Answer
from voicer.upstream.engine import Upstream
from voicer.voices import Voices
from voicer.webhooks import events

log = logging.getLogger("voicer.dubbing")

DUBBING, DUBBED, FAILED = "dubbing", "dubbed", "failed"
OUTPUT = parse_format("mp3_44100_128")
LOCAL_ONLY = ("target_lang: {target} differs from source_lang {source}; Voicer dubs locally in "
              "the source language only (re-voicing: no translation model ships its weights "
              "here), and other languages need the ElevenLabs upstream, which is not "
              "configured (VOICER_ELEVENLABS_API_KEY)")
CLAIM_LEASE = timedelta(seconds=30)  # a maker's claim not renewed this long: it died


class DubbingQueue(Protocol):
    """Where projects and renders go with a broker: ``voicer.tasks.queue.QueueRunner``."""

    def enqueue_dubbing(self, dubbing_id: str) -> None: ...

    def enqueue_render(self, dubbing_id: str, language: str, render_id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class DubbingRequest:
    filename: str
    target_lang: str
    source_lang: str | None = None  # None or "auto": detected
    name: str | None = None
    num_speakers: int | None = None  # None or 0: found by the diarizer
    start_time: int | None = None  # seconds of the upload to dub
    end_time: int | None = None
    drop_background_audio: bool = False
    webhook_url: str | None = None  # checked by the caller; None: the owner's default


class DubbingTasks:
    """The dubbing projects of an API node (made here, or handed to ``queue``), or those a
    ``voicer worker`` process makes; started and stopped with the app or the worker."""

    def __init__(self, database: Database, storage: Storage, listener: Listener, voices: Voices,
                 speech: SpeechPool, upstream: Upstream | None = None,
                 queue: DubbingQueue | None = None, claim_lease: timedelta = CLAIM_LEASE) -> None:
        self.database = database
        self.upstream = upstream  # where other languages are dubbed
        self.storage = storage  # the upload, the background and each language's audio
        self.listener = listener
        self.voices = voices
        self.speech = speech
        self.queue = queue  # None: made in this process
        self.claim_lease = claim_lease
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="dubbing")

    @property
    def per_second(self) -> float:
        return self.listener.settings.dubbing_characters_per_second

    def recover(self) -> int:
        """Make again the projects an earlier process left unfinished; how many there were.
        With a broker, nothing: the queue holds them, and its reconcile enqueues any never
        enqueued."""
        if self.queue is not None:
            return 0
        with self.database.session() as session:
            left = list(session.scalars(select(DubbingProject).where(
                DubbingProject.status == DUBBING, DubbingProject.upstream_id.is_(None))
                .order_by(DubbingProject.created_at)))
            for project in session.scalars(select(DubbingProject).where(
                    DubbingProject.status == DUBBED)):
                if project.resource and any(render["status"] == "processing"
                                            for render in project.resource["renders"].values()):
                    refund_characters(session, project.user_id, sum(
                        render.get("characters", 0) for render in
                        project.resource["renders"].values() if render["status"] == "processing"))
                    project.resource = _renders_failed(project.resource)
            for project in left:
                project.progress, project.claimed_at = 0, None  # its maker was this node's
            session.commit()
            ids = [project.id for project in left]
        for project_id in ids:
            self._pool.submit(self.run, project_id)
        return len(ids)

    def submit(self, user: User, file: BinaryIO, request: DubbingRequest) -> DubbingProject:
        """Accept ``file``: decoded, charged and queued; ``InvalidInput`` or ``QuotaExceeded``
        (nothing charged) otherwise."""
        target = whisper_language(request.target_lang, "target_lang")
        if target is None:
            raise InvalidInput("target_lang", "target_lang is required: the language to dub into")
        source = None if request.source_lang == "auto" else whisper_language(
            request.source_lang, "source_lang")
        relayed = source is not None and source != target
        if relayed and self.upstream is None:
            raise InvalidInput("target_lang", LOCAL_ONLY.format(target=target, source=source))
        if not relayed:
            voicing.voice_for(self.voices, target, "female")  # a local voice speaks it, or 400
        clip = _cut(self.listener.clip(file), request.start_time, request.end_time)
        file.seek(0)
        with self.database.session() as session:
            project = DubbingProject(
                id=str(uuid.uuid4()).replace("-", "")[:20], user_id=user.id, status=DUBBING,
                progress=0, name=(request.name or request.filename)[:200],
                source_language=source, target_language=target,
                num_speakers=request.num_speakers or None,
                background=not request.drop_background_audio, duration=round(clip.duration, 3),
                characters=audio_characters(clip.duration, self.per_second),
                start_time=request.start_time, end_time=request.end_time,
                webhook_url=request.webhook_url)
            reserve_characters(session, user.id, project.characters)
            session.add(project)
            if relayed:  # before the commit: nothing charged if the upstream refuses it
                project.upstream_id = self._relay_create(file.read(), request, target)
            else:
                self.storage.put_upload(project.id, file.read())  # kept if accepted
            session.commit()
            session.refresh(project)
            session.expunge(project)
        if not relayed:
            self._start(project.id)
        return project

    def _start(self, dubbing_id: str) -> None:
        if self.queue is None:
            self._pool.submit(self.run, dubbing_id)
            return
        try:
            self.queue.enqueue_dubbing(dubbing_id)
        except Exception:  # Redis away: the queue runner's reconcile enqueues it later
            log.exception("could not enqueue dubbing %s; it waits for the reconcile", dubbing_id)

    def status(self, user: User, dubbing_id: str) -> dict[str, Any]:
        """What ``GET /v1/dubbing/{id}`` answers; a relayed project's as the upstream says it,
        under Voicer's id (refunded once the upstream says it failed)."""
        with self.database.session() as session:
            project = self.get(session, user, dubbing_id)
            if project.upstream_id is None:
                return metadata(project)
            far = json.loads(self.relay("GET", f"/v1/dubbing/{project.upstream_id}").content)
            if far.get("status") in (DUBBED, FAILED) and project.status == DUBBING:
                if far["status"] == FAILED:
                    refund_characters(session, project.user_id, project.characters)
                project.status, project.completed_at = far["status"], utcnow()
                events.enqueue_dubbing(session, project, events.DUBBING_COMPLETED
                                       if far["status"] == DUBBED else events.DUBBING_FAILED)
                session.commit()
            return {**far, "dubbing_id": project.id}

    def page(self, user: User, offset: int, size: int, status: str | None,
             ascending: bool) -> dict[str, Any]:
        """The caller's projects, newest first unless ``ascending`` (a relayed one with the
        status last seen), ``size`` from ``offset``: the SDK's ``dubbing.list``."""
        order = DubbingProject.created_at.asc() if ascending else DubbingProject.created_at.desc()
        query = select(DubbingProject).where(DubbingProject.user_id == user.id)
        if status is not None:
            query = query.where(DubbingProject.status == status)
        with self.database.session() as session:
            found = list(session.scalars(query.order_by(order, DubbingProject.id)
                                         .offset(offset).limit(size + 1)))
            more = len(found) > size
            return {"dubs": [metadata(project) for project in found[:size]], "has_more": more,
                    "next_cursor": str(offset + size) if more else None}

    def upstream_of(self, user: User, dubbing_id: str) -> str | None:
        """The upstream's id of the caller's project if it was relayed, else None."""
        with self.database.session() as session:
            return self.get(session, user, dubbing_id).upstream_id

    def relay(self, method: str, path: str, params: dict[str, Any] | None = None,
              body: dict[str, Any] | None = None) -> Answer:
        """A relayed project's request, sent to the upstream as it is."""
        assert self.upstream is not None
        return self.upstream.send(method, path, params, body)

    def _relay_create(self, data: bytes, request: DubbingRequest, target: str) -> str:
        assert self.upstream is not None
        fields = {"source_lang": request.source_lang, "target_lang": target,
                  "name": request.name, "num_speakers": request.num_speakers,
                  "start_time": request.start_time, "end_time": request.end_time,
                  "drop_background_audio": request.drop_background_audio}
        form = {key: str(value).lower() if isinstance(value, bool) else str(value)
                for key, value in fields.items() if value is not None}
        answer = self.upstream.send("POST", "/v1/dubbing", form=form, files={
            "file": (request.filename, data, "application/octet-stream")})
        return str(json.loads(answer.content)["dubbing_id"])

    def get(self, session: Session, user: User, dubbing_id: str) -> DubbingProject:
        """The caller's project; another user's is as unknown as a missing one."""
        project = session.get(DubbingProject, dubbing_id)
        if project is None or project.user_id != user.id:
            raise NotFound(f"dubbing {dubbing_id} not found")
        return project

    def made(self, session: Session, user: User, dubbing_id: str) -> DubbingProject:
        """The caller's project, once dubbed; ``Conflict`` before."""
        project = self.get(session, user, dubbing_id)
        if project.status != DUBBED or project.resource is None:
            raise Conflict(f"dubbing {dubbing_id} is {project.status}; it can be read and "
                           "edited once dubbed")
        return project

    def audio(self, user: User, dubbing_id: str, language: str) -> bytes:
        """The latest audio of ``language`` (the dub, or its last render)."""
        with self.database.session() as session:
            project = self.made(session, user, dubbing_id)
            assert project.resource is not None
            resources.language_of(project.resource, language)
        return self.storage.read_upload(_audio_name(dubbing_id, language))

    def edit(self, user: User, dubbing_id: str,
             change: Callable[[resources.Resource], resources.Resource]) -> resources.Resource:
        """``change`` made to the caller's resource; the resource as it now is."""
        with self.database.session() as session:
            project = self.made(session, user, dubbing_id)
            assert project.resource is not None
            project.resource = change(project.resource)
            session.commit()
            return project.resource

    def render(self, user: User, dubbing_id: str, language: str) -> resources.Resource:
        """Start speaking ``language`` again from the resource; its dubs changed since the last
        render are charged."""
        render_id = uuid.uuid4().hex[:16]
        with self.database.session() as session:
            project = self.made(session, user, dubbing_id)
            assert project.resource is not None
            resources.language_of(project.resource, language)
            cost = resources.stale_characters(project.resource, language)
            reserve_characters(session, user.id, cost)
            project.resource = resources.rendering(project.resource, language, render_id, cost)
            session.commit()
            snapshot = project.resource
        if self.queue is None:
            self._pool.submit(self.make_render, dubbing_id, language, render_id)
            return snapshot
        try:
            self.queue.enqueue_render(dubbing_id, language, render_id)
        except Exception:  # Redis away: the render fails at once, refunded
            log.exception("could not enqueue render %s of dubbing %s", render_id, dubbing_id)
            return self._finish_render(dubbing_id, language, render_id, False) or snapshot
        return snapshot

    def transcribe(self, user: User, dubbing_id: str,
                   segment_ids: list[str]) -> resources.Resource:
        """The source audio of ``segment_ids`` (none: every segment) heard again, their source
        text replaced by what is heard (their dubs unchanged); charged as speech to text."""
        with self.database.session() as session:
            project = self.made(session, user, dubbing_id)
            assert project.resource is not None
            times = {segment_id: (project.resource["segments"][segment_id]["start"],
                                  project.resource["segments"][segment_id]["end"])
                     for segment_id in resources.chosen(project.resource, segment_ids)}
            language, start, end = project.source_language, project.start_time, project.end_time
        clip = _cut(decode(io.BytesIO(self.storage.read_upload(dubbing_id)),
                           self.listener.settings.max_audio_seconds, "file"), start, end)
        seconds = sum(max(0.0, finish - begin) for begin, finish in times.values())
        recognizer = self.listener.recognizers.default()
        with paid(self.database, user.id, audio_characters(
                seconds, self.listener.settings.stt_characters_per_second)):
            heard = {segment_id: " ".join(recognizer.recognize(
                clip.cut(begin, finish), language).text.split())
                for segment_id, (begin, finish) in times.items() if finish > begin}
        return self.edit(user, dubbing_id, lambda made: resources.transcribed(made, {
            segment_id: text for segment_id, text in heard.items()
            if segment_id in made["segments"]}))

    def dub(self, user: User, dubbing_id: str, segment_ids: list[str],
            languages: list[str]) -> resources.Resource:
        """``segment_ids`` (none: every segment) spoken again in ``languages`` (none: the
        dubbing's): their dubs marked stale, then each language rendered (and so charged)."""
        def stale(made: resources.Resource) -> resources.Resource:
            chosen = resources.chosen(made, segment_ids)
            for language in languages or made["target_languages"]:
                made = resources.restaled(made, chosen, resources.language_of(made, language))
            return made

        made = self.edit(user, dubbing_id, stale)
        for language in languages or made["target_languages"]:
            made = self.render(user, dubbing_id, language)
        return made

    def delete(self, user: User, dubbing_id: str) -> None:
        with self.database.session() as session:
            project = self.get(session, user, dubbing_id)
            if project.upstream_id is not None:
                self.relay("DELETE", f"/v1/dubbing/{project.upstream_id}")
            languages = (project.resource or {}).get("target_languages", [])
            session.delete(project)
            session.commit()
        self._remove_files(dubbing_id, languages)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def run(self, dubbing_id: str) -> float | None:
        """Make the project, if it is still to be made and no one else is making it: its row
        claimed, the claim renewed while it is made. ``None`` once nothing is left to do here;
        seconds to wait if another maker holds a claim (which expires if it died)."""
        if not self._claim(dubbing_id):
            return self._claim_expires_in(dubbing_id)
        with renewing(self.claim_lease, lambda: self._set(dubbing_id, claimed_at=utcnow()),
                      f"dubbing {dubbing_id}"):
            self._make(dubbing_id)
        return None

    def _claim(self, dubbing_id: str) -> bool:
        """Whether this maker got the project: one still to be made, whose last maker's claim
        (if any) was not renewed for ``claim_lease`` (it died). Its progress starts again."""
        now = utcnow()
        with self.database.session() as session:
            claimed = session.execute(update(DubbingProject).where(
                DubbingProject.id == dubbing_id, DubbingProject.status == DUBBING,
                DubbingProject.upstream_id.is_(None),
                or_(DubbingProject.claimed_at.is_(None),
                    DubbingProject.claimed_at < now - self.claim_lease))
                .values(claimed_at=now, progress=0))
            session.commit()
            return rowcount(claimed) == 1

    def _claim_expires_in(self, dubbing_id: str) -> float | None:
        """Seconds until another maker's claim on the project expires, if it stops renewing
        it; ``None`` if the project is made, failed, deleted or relayed."""
        with self.database.session() as session:
            project = session.get(DubbingProject, dubbing_id)
            if project is None or project.status != DUBBING or project.claimed_at is None:
                return None
            expires = project.claimed_at + self.claim_lease - utcnow()
            return max(expires.total_seconds(), 0.0) + 1.0

    def _make(self, dubbing_id: str) -> None:
        with self.database.session() as session:
            project = session.get(DubbingProject, dubbing_id)
            if project is None or project.status != DUBBING:
                return
            session.expunge(project)
        try:
            made = self._dub(project)
        except InvalidInput as error:  # nothing to dub in it, or another language heard
            log.info("dubbing %s failed: %s", dubbing_id, error)
            self._failed(dubbing_id, error)
            return
        except Exception as error:
            log.exception("dubbing %s failed", dubbing_id)
            self._failed(dubbing_id, error)
            return
        with self.database.session() as session:
            done = session.execute(update(DubbingProject).where(
                DubbingProject.id == dubbing_id, DubbingProject.status == DUBBING).values(
                status=DUBBED, progress=100, completed_at=utcnow(), resource=made,
                source_language=made["source_language"]))
            project = session.get(DubbingProject, dubbing_id)
            if rowcount(done) and project is not None:
                events.enqueue_dubbing(session, project, events.DUBBING_COMPLETED)
            session.commit()
        if project is None:  # deleted while it was made (else another maker finished first)
            self._remove_files(dubbing_id, made["target_languages"])

    def _dub(self, project: DubbingProject) -> resources.Resource:
        """Heard, voiced, spoken again over its background: the resource, the audio stored."""
        upload = io.BytesIO(self.storage.read_upload(project.id))
        loud = _cut(decode(upload, self.listener.settings.max_audio_seconds, "file",
                           isolation.RATE), project.start_time, project.end_time)
        clip = loud.at(RATE)
        recognizer: Recognizer = self.listener.recognizers.default()
        if self.listener.parallel is not None and clip.duration > LONG_AUDIO:
            recognizer = self.listener.parallel  # every core on a long file, not one thread
        transcript = recognizer.recognize(clip, project.source_language,
                                          self._progress(project.id, clip.duration, 1, 40))
        if not transcript.text.strip():
            raise InvalidInput("file", "file: no speech was heard in it")
        if transcript.language != project.target_language:
            raise InvalidInput("target_lang", LOCAL_ONLY.format(
                target=project.target_language, source=transcript.language))
        transcript = speakers.diarize(transcript, clip, project.num_speakers)
        cast = voicing.cast(voicing.pitches(transcript, clip), project.target_language,
                            self.voices)
        made = resources.built(transcript, cast, transcript.language, project.target_language)
        if project.background:
            bed = voicing.background(loud)
            self.storage.put_upload(_background_name(project.id), bed.samples.tobytes())
        self._set(project.id, progress=60)
        self._speak(project.id, made, project.target_language, project.duration,
                    self._progress(project.id, 1.0, 60, 95))
        return made

    def _speak(self, dubbing_id: str, made: resources.Resource, language: str,
               duration: float, progress: Callable[[float], None] | None = None) -> None:
        """``language``'s dubs of ``made`` spoken, mixed and stored as its audio."""
        cast = {speaker_id: speaker["voices"][language]
                for speaker_id, speaker in made["speakers"].items()}
        with self.speech.lease() as pool:
            speech = voicing.spoken(resources.spoken(made, language), cast, self.voices,
                                    language, duration, pool, progress)
        try:
            bed: Audio | None = Audio.from_bytes(
                self.storage.read_upload(_background_name(dubbing_id)), voicing.RATE)
        except NotFound:
            bed = None  # dropped at the user's request
        self.storage.put_upload(_audio_name(dubbing_id, language),
                                encode_whole(voicing.mixed(speech, bed), OUTPUT))

    def make_render(self, dubbing_id: str, language: str, render_id: str) -> None:
        """Speak ``language`` again, if the render ``render_id`` is still waiting for it (a
        repeated delivery of a finished one does nothing); finished, or refunded, once."""
        ok = True
        try:
            with self.database.session() as session:
                project = session.get(DubbingProject, dubbing_id)
                if project is None or _render_of(project, language, render_id) is None:
                    return
                assert project.resource is not None
                snapshot, duration = project.resource, project.duration
            self._speak(dubbing_id, snapshot, language, duration)
        except Exception:
            log.exception("render %s of dubbing %s failed", render_id, dubbing_id)
            ok = False
        self._finish_render(dubbing_id, language, render_id, ok)

    def _finish_render(self, dubbing_id: str, language: str, render_id: str,
                       ok: bool) -> resources.Resource | None:
        """The render marked complete, or failed and refunded, unless that was done; the
        resource as it now is."""
        with self.database.session() as session:
            project = session.get(DubbingProject, dubbing_id, with_for_update=True)
            render = None if project is None else _render_of(project, language, render_id)
            if project is None or project.resource is None or render is None:
                return None
            if not ok:
                refund_characters(session, project.user_id, render.get("characters", 0))
            project.resource = resources.rendered(project.resource, language, render_id, ok)
            session.commit()
            return project.resource

    def fail(self, dubbing_id: str, message: str) -> None:
        """The project ``failed`` with ``message`` and refunded, unless it has ended already."""
        with self.database.session() as session:
            ended = session.execute(update(DubbingProject).where(
                DubbingProject.id == dubbing_id, DubbingProject.status == DUBBING).values(
                status=FAILED, error=message, completed_at=utcnow()))
            project = session.get(DubbingProject, dubbing_id)
            if rowcount(ended) and project is not None:
                refund_characters(session, project.user_id, project.characters)
                events.enqueue_dubbing(session, project, events.DUBBING_FAILED)
            session.commit()
        if rowcount(ended):
            self._remove_files(dubbing_id, [])

    def _failed(self, dubbing_id: str, error: Exception) -> None:
        self.fail(dubbing_id, str(error) if isinstance(error, InvalidInput)
                  else f"dubbing failed: {error}")

    def _progress(self, dubbing_id: str, duration: float, low: int,
                  high: int) -> Callable[[float], None]:
        def heard(seconds: float) -> None:
            if duration > 0:
                self._set(dubbing_id, progress=low + int((high - low) * min(1.0, seconds / duration)))

        return heard

    def _set(self, dubbing_id: str, **values: Any) -> None:
        with self.database.session() as session:
            session.execute(update(DubbingProject).where(DubbingProject.id == dubbing_id)
                            .values(**values))
            session.commit()

    def _remove_files(self, dubbing_id: str, languages: list[str]) -> None:
        self.storage.remove_upload(dubbing_id)
        self.storage.remove_upload(_background_name(dubbing_id))
        for language in languages:
            self.storage.remove_upload(_audio_name(dubbing_id, language))


def metadata(project: DubbingProject) -> dict[str, Any]:
    """What ``GET /v1/dubbing/{id}`` answers (the SDK's ``DubbingMetadataResponse``)."""
    return {"dubbing_id": project.id, "name": project.name, "status": project.status,
            "progress": project.progress, "source_language": project.source_language,
            "target_languages": [project.target_language], "editable": True,
            "created_at": project.created_at.isoformat(),
            "media_metadata": {"content_type": "audio/mpeg", "duration": project.duration},
            "error": project.error}


def _cut(clip: Clip, start: int | None, end: int | None) -> Clip:
    if start is None and end is None:
        return clip
    begin, finish = start or 0, clip.duration if end is None else end
    if not 0 <= begin < finish:
        raise InvalidInput("start_time", f"start_time ({begin}) must be at least 0 and before "
                                         f"end_time ({finish})")
    if begin >= clip.duration:
        raise InvalidInput("start_time", f"start_time ({begin}) is past the end of the audio "
                                         f"({clip.duration:,.1f} s)")
    return clip.cut(begin, min(finish, clip.duration))


def _render_of(project: DubbingProject, language: str,
               render_id: str) -> dict[str, Any] | None:
    """The render ``render_id`` of ``language`` while it is still being made, else None."""
    render = (project.resource or {}).get("renders", {}).get(language)
    if render is None or render["id"] != render_id or render["status"] != "processing":
        return None
    return dict(render)


def _renders_failed(made: resources.Resource) -> resources.Resource:
    return {**made, "renders": {language: {**render, "status": "failed"}
                                if render["status"] == "processing" else render
                                for language, render in made["renders"].items()}}


def _background_name(dubbing_id: str) -> str:
    return f"{dubbing_id}.background"


def _audio_name(dubbing_id: str, language: str) -> str:
    return f"{dubbing_id}.{language}.mp3"
