"""The one settings object, read from ``VOICER_*`` environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from voicer.storage.location import parse_location
from voicer.text.splitter import DEFAULT_CHUNK_LIMIT


def _default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOICER_", frozen=True)

    data_dir: Path = Field(default_factory=lambda: Path.home() / ".local/share/voicer",
                           description="where Voicer keeps its database and audio")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in data_dir")
    workers: int = Field(default_factory=_default_workers, ge=1, le=256,
                         description="synthesis worker processes (default: one per core)")
    speech_workers: int | None = Field(None, ge=1, le=256,
                                       description="processes for synchronous text-to-speech "
                                                   "(default: as many as workers)")
    chunk_limit: int = Field(DEFAULT_CHUNK_LIMIT, ge=50, le=40_000,
                             description="default maximum characters per chunk")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65_535)
    max_request_bytes: int = Field(8 * 2**20, ge=1024,
                                   description="larger request bodies get 413 unread")
    header_timeout: float = Field(10.0, gt=0, description="seconds a request has for its "
                                                          "headers; then 408 and the "
                                                          "connection closed (just closed if "
                                                          "nothing came)")
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
    status_wait_seconds: float = Field(3.0, ge=0, le=30,
                                       description="a status request waits up to this long for "
                                                   "a task expected to end within it; 0: never")
    rate_limit_storage: str = Field("memory://", description="a `limits` storage URI")

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

    # The real ElevenLabs API as an upstream engine, enabled by a key.
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
    elevenlabs_task_format: str = Field("pcm_24000", pattern=r"^pcm_\d+$",
                                        description="what task chunks are fetched as; PCM so "
                                                    "chunks join gaplessly")

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'voicer.db'}"

    def hourly_limit(self, plan: str) -> int:
        limits = {"basic": self.basic_requests_per_hour, "pro": self.pro_requests_per_hour,
                  "ultra": self.ultra_requests_per_hour}
        return limits.get(plan, self.basic_requests_per_hour)

    # Storage: where task audio and history audio live (voicer.storage).
    storage_url: str | None = Field(None, description="file:///shared/mount or s3://bucket/prefix; "
                                                      "default: the data directory")
    s3_endpoint_url: str | None = Field(None, description="an S3-compatible service; default: AWS")
    s3_region: str | None = Field(None, description="default: boto3's usual sources")
    s3_access_key_id: str | None = Field(None, description="default: boto3's usual sources")
    s3_secret_access_key: SecretStr | None = Field(None, description="goes with the key id")

    @field_validator("storage_url")
    @classmethod
    def check_storage_url(cls, url: str | None) -> str | None:
        if url is not None:
            parse_location(url)  # raises, saying what is wrong
        return url
