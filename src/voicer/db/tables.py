"""Tables: users, their tokens, tasks and the chunks of each task, history, the Voice API's
recognition tasks (and their pieces) and speech tasks, pronunciation dictionaries with their
versions, and each user's own (cloned and designed) voices."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from voicer.pipeline.plan import SynthesisOptions


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and read back as aware datetimes, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: UtcDateTime(), dict[str, Any]: JSON}


class TaskStatus(StrEnum):
    pending = "pending"  # accepted, waiting for a worker
    processing = "processing"  # chunks are being synthesized
    completed = "completed"  # the output can be downloaded
    failed = "failed"  # stopped by an error; unspent characters refunded
    cancelled = "cancelled"  # stopped by its owner; unspent characters refunded


ACTIVE = (TaskStatus.pending, TaskStatus.processing)


class ChunkStatus(StrEnum):
    pending = "pending"
    done = "done"


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    plan: Mapped[str] = mapped_column(String(20))
    total_characters: Mapped[int] = mapped_column(Integer)
    used_characters: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Where their tasks' events go when a task names no callback, and the key that signs them
    webhook_url: Mapped[str | None] = mapped_column(Text, default=None)
    webhook_secret: Mapped[str | None] = mapped_column(String(64), default=None)


class Token(Base):
    __tablename__ = "tokens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("user_id", "idempotency_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default=TaskStatus.pending)
    options: Mapped[dict[str, Any]] = mapped_column()
    characters: Mapped[int] = mapped_column(Integer)  # reserved from the quota at submit
    refunded_characters: Mapped[int] = mapped_column(Integer, default=0)
    chunks_total: Mapped[int] = mapped_column(Integer)
    chunks_completed: Mapped[int] = mapped_column(Integer, default=0)
    audio_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    request_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    # With a job queue: when the chunks were handed to the broker, and when a worker took
    # on the assembly (so it happens once; a claim left by a dead worker goes stale).
    enqueued_at: Mapped[datetime | None] = mapped_column(default=None)
    assembly_claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Chunks spoken one after another under a queue (ordered upstream continuity): the index of
    # the last chunk whose message was handed on, so a repeated delivery does not hand it on again.
    handed_on: Mapped[int | None] = mapped_column(Integer, default=None)
    # The engine its voice resolved to when it was accepted: every chunk is spoken by it, even
    # if an upstream is configured or removed meanwhile. None: accepted before it was kept.
    engine: Mapped[str | None] = mapped_column(String(32), default=None)
    # A book's chapters (their first chunks), title, author and cover (BookTags.to_json);
    # None: plain text
    book: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    @property
    def synthesis_options(self) -> SynthesisOptions:
        """The options it was submitted with (``options``, validated then), typed."""
        return SynthesisOptions.model_validate(self.options)


class TaskChunk(Base):
    __tablename__ = "task_chunks"

    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"),
                                         primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    text_offset: Mapped[int] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(16))
    gap: Mapped[float | None] = mapped_column(Float)  # pause after it; None natural; 0 last
    status: Mapped[str] = mapped_column(String(20), default=ChunkStatus.pending)
    duration: Mapped[float | None] = mapped_column(Float, default=None)
    speech: Mapped[float | None] = mapped_column(Float, default=None)
    rendered_at: Mapped[datetime | None] = mapped_column(default=None)
    # The upstream's request-id for it: the chunks after it are stitched to it.
    request_id: Mapped[str | None] = mapped_column(String(100), default=None)
    # The SSML tags open where it starts, when the text is an SSML document
    context: Mapped[str | None] = mapped_column(Text, default=None)
    # Its words once spoken, [text offset, length, start s, end s] in its segment: the captions'
    words: Mapped[list[list[float]] | None] = mapped_column(JSON, default=None)
    # A verified task's chunk, heard back once rendered: its word error rate, what was heard,
    # and how many renders it took (None: not verified)
    word_error_rate: Mapped[float | None] = mapped_column(Float, default=None)
    heard: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int | None] = mapped_column(Integer, default=None)


class HistoryItem(Base):
    """One synchronous text-to-speech request and where its audio is kept."""

    __tablename__ = "history_items"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[str] = mapped_column(String(40))
    voice_id: Mapped[str] = mapped_column(String(64))
    voice_name: Mapped[str] = mapped_column(String(200))
    model_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    characters: Mapped[int] = mapped_column(Integer)
    character_count_from: Mapped[int] = mapped_column(Integer)
    output_format: Mapped[str] = mapped_column(String(40))
    content_type: Mapped[str] = mapped_column(String(60))
    settings: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SttStatus(StrEnum):
    """A recognition task's status, named as the Voice API names them."""

    pending = "pending"  # accepted, waiting for the recognizer
    processing = "processing"  # being recognised; ``progress`` says how far
    succeeded = "succeeded"  # the result can be read
    failed = "failed"  # stopped by an error; its characters refunded
    cancelled = "cancelled"  # stopped by its owner; what was heard is its result, the rest refunded


class SttTask(Base):
    """One uploaded file to recognise (the Voice API's ``/v1/stt``); the audio is not kept."""

    __tablename__ = "stt_tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default=SttStatus.pending)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    filename: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str | None] = mapped_column(String(16), default=None)  # asked, then heard
    diarize: Mapped[bool] = mapped_column(default=False)
    num_speakers: Mapped[int | None] = mapped_column(Integer, default=None)
    duration: Mapped[float] = mapped_column(Float)  # seconds of audio
    characters: Mapped[int] = mapped_column(Integer)  # charged at submit
    error: Mapped[str | None] = mapped_column(Text, default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    webhook_url: Mapped[str | None] = mapped_column(Text, default=None)  # None: the owner's
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class SttPiece(Base):
    """A stretch of a recognition task's audio, cut at a silence and heard on its own (its
    audio in storage while the task runs); ``result`` is its transcript, on the file's clock."""

    __tablename__ = "stt_pieces"

    task_id: Mapped[str] = mapped_column(ForeignKey("stt_tasks.id", ondelete="CASCADE"),
                                         primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[float] = mapped_column(Float)  # seconds into the file
    end: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default=ChunkStatus.pending)
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)


class SpeechTask(Base):
    """A Voice API script to speak (``/v1/tts``): its lines, and the MP3 once made."""

    __tablename__ = "speech_tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default=SttStatus.pending)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{text, speaker, voice_id}]
    characters: Mapped[int] = mapped_column(Integer)  # charged at submit
    duration: Mapped[float | None] = mapped_column(Float, default=None)  # seconds, once made
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class DubbingProject(Base):
    """One dubbing (ElevenLabs ``/v1/dubbing``): its state, and its segments as the resource."""

    __tablename__ = "dubbing_projects"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), index=True)  # dubbing, dubbed, failed
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    source_language: Mapped[str | None] = mapped_column(String(16), default=None)
    target_language: Mapped[str] = mapped_column(String(16))
    num_speakers: Mapped[int | None] = mapped_column(Integer, default=None)
    background: Mapped[bool] = mapped_column(default=True)  # mixed under the speech
    start_time: Mapped[int | None] = mapped_column(Integer, default=None)  # of the upload, s
    end_time: Mapped[int | None] = mapped_column(Integer, default=None)
    duration: Mapped[float] = mapped_column(Float)  # seconds of audio dubbed
    characters: Mapped[int] = mapped_column(Integer)  # charged at submit
    resource: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    upstream_id: Mapped[str | None] = mapped_column(String(64), default=None)  # relayed there
    # Where its dubbing.completed / dubbing.failed event goes; None: the owner's default
    webhook_url: Mapped[str | None] = mapped_column(Text, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    enqueued_at: Mapped[datetime | None] = mapped_column(default=None)  # handed to the queue
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)  # its maker, renewed


class PronunciationDictionary(Base):
    """A user's pronunciation dictionary: its name, and its latest version."""

    __tablename__ = "pronunciation_dictionaries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    latest_version_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    archived_at: Mapped[datetime | None] = mapped_column(default=None)


class PronunciationDictionaryVersion(Base):
    """One version of a dictionary: its whole list of rules, never changed (a change of the
    rules is a new version)."""

    __tablename__ = "pronunciation_dictionary_versions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    dictionary_id: Mapped[str] = mapped_column(
        ForeignKey("pronunciation_dictionaries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1 for the first version
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEvent(Base):
    """One event for a callback URL, delivered at least once: tried until its receiver
    answers 2xx or its retry window ends."""

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the receiver's de-dup key
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))  # or a dubbing's id
    type: Mapped[str] = mapped_column(String(40))  # task.completed, dubbing.failed, ...
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # the JSON sent, the same bytes every attempt
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    gave_up_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


class OwnedVoice(Base):
    """A user's own voice (a clone of their reference, or one designed from a description):
    how its engine speaks it, and what the user named and set for it. Private to its owner."""

    __tablename__ = "owned_voices"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the voice id
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))  # "cloned" or "generated"
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    engine: Mapped[str] = mapped_column(String(40))  # who speaks it: a name in the engine registry
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)  # that engine's, as Voice.params
    languages: Mapped[list[str]] = mapped_column(JSON)
    settings: Mapped[dict[str, Any] | None] = mapped_column(default=None)  # its default settings
    analysis: Mapped[dict[str, Any] | None] = mapped_column(default=None)  # what was measured
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class VoicePreview(Base):
    """A voice-design preview its caller may keep until ``expires_at``: the design it speaks."""

    __tablename__ = "voice_previews"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the generated_voice_id
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    design: Mapped[dict[str, Any]] = mapped_column()  # base, pitch, pace
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
