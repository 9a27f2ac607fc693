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
                           description="where Voicer keeps data")
    workers: int = Field(default_factory=_default_workers, ge=1, le=256,
                         description="synthesis worker processes (default: one per core)")
    chunk_limit: int = Field(DEFAULT_CHUNK_LIMIT, ge=50, le=40_000,
                             description="default maximum characters per chunk")
