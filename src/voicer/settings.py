"""The one settings object, read from ``VOICER_*`` environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    requests_per_minute: int = Field(60, ge=1, description="per token")
    basic_requests_per_hour: int = Field(1_000, ge=1)
    pro_requests_per_hour: int = Field(2_000, ge=1)
    ultra_requests_per_hour: int = Field(3_000, ge=1)
    rate_limit_storage: str = Field("memory://", description="a `limits` storage URI")

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'voicer.db'}"

    def hourly_limit(self, plan: str) -> int:
        limits = {"basic": self.basic_requests_per_hour, "pro": self.pro_requests_per_hour,
                  "ultra": self.ultra_requests_per_hour}
        return limits.get(plan, self.basic_requests_per_hour)
