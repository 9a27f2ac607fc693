"""Where storage is, from ``VOICER_STORAGE_URL``: a directory or a bucket."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

FORMS = "file:///absolute/path or s3://bucket/optional/prefix"


@dataclass(frozen=True, slots=True)
class Directory:
    path: Path


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    prefix: str  # without leading or trailing slashes; "" for the whole bucket


def parse_location(url: str) -> Directory | Bucket:
    """Raises ``ValueError`` saying what is wrong with ``url``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ValueError(f"{url!r} is not an absolute file URL; use {FORMS}")
        return Directory(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        if not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"{url!r} names no bucket, or has a query; use {FORMS}")
        return Bucket(parts.netloc, parts.path.strip("/"))
    raise ValueError(f"{url!r} is neither a directory nor a bucket; use {FORMS}")
