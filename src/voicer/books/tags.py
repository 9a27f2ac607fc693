"""What an audiobook file is tagged with: title, author, cover and where each chapter starts."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ChapterStart:
    title: str
    chunk: int  # the index of the chapter's first chunk


@dataclass(frozen=True, slots=True)
class BookTags:
    chapters: tuple[ChapterStart, ...]
    title: str = ""
    author: str = ""
    cover: bytes | None = None
    cover_type: str = ""  # image/jpeg or image/png

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title, "author": self.author, "cover_type": self.cover_type,
            "cover": base64.b64encode(self.cover).decode() if self.cover else None,
            "chapters": [{"title": c.title, "chunk": c.chunk} for c in self.chapters],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BookTags:
        cover = data.get("cover")
        return cls(tuple(ChapterStart(str(c["title"]), int(c["chunk"])) for c in data["chapters"]),
                   str(data.get("title") or ""), str(data.get("author") or ""),
                   base64.b64decode(cover) if cover else None, str(data.get("cover_type") or ""))
