"""The Voice API's models list: its "models" are the voices a caller can name in ``model_ids``
(the premade and local ones, the upstream's, and the caller's own clones), filtered by title
(fuzzy), language and tag, sorted, paged, and kept a while for the pages asked often.

``GET /v1/models`` is ElevenLabs' too, a plain list of speech models that its SDK reads. Any of
the Voice API's parameters (``title``, ``language``, ``tag``, ``sort``, ``page``, ``page_size``,
``refresh``) asks for this list instead; without them the answer is ElevenLabs' unchanged.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from voicer.errors import InvalidInput
from voicer.voices import Voice

SORTS = ("title", "-title", "language", "-language", "relevance")
MATCH = 0.6  # the least fuzzy score a title must reach
CACHED_PAGES = 256  # pages kept at most, the least recently asked dropped first


@dataclass(frozen=True, slots=True)
class ModelQuery:
    title: str | None = None
    language: str | None = None
    tag: str | None = None
    sort: str | None = None  # one of SORTS; default: relevance with a title, else title
    page: int = 1
    page_size: int = 20

    def __post_init__(self) -> None:
        if self.sort is not None and self.sort not in SORTS:
            raise InvalidInput("sort", f"sort must be one of {', '.join(SORTS)}, got {self.sort!r}")


@dataclass(frozen=True, slots=True)
class ModelPage:
    items: tuple[dict[str, Any], ...]
    total: int
    page: int
    page_size: int


def model_json(voice: Voice) -> dict[str, Any]:
    """One model of the list: a voice, by the Voice API's names."""
    listing = voice.listing or {}
    return {"model_id": voice.voice_id, "title": voice.name, "languages": list(voice.languages),
            "tags": tags(voice), "category": listing.get("category", "premade"),
            "engine": voice.engine, "description": voice.long_description}


def tags(voice: Voice) -> list[str]:
    labels = (voice.listing or {}).get("labels") or {}
    found = [voice.gender, voice.age, voice.accent, voice.description, voice.use_case,
             *(str(value) for value in labels.values())]
    return sorted({tag.casefold() for tag in found if tag and tag != "unknown"})


def search(voices: Iterable[Voice], query: ModelQuery) -> ModelPage:
    scored = [(score(query.title, voice.name) if query.title else 1.0, voice) for voice in voices]
    found = [(points, voice) for points, voice in scored if points >= MATCH
             and (not query.language or _speaks(voice, query.language))
             and (not query.tag or query.tag.casefold() in tags(voice))]
    found = _sorted(found, query.sort or ("relevance" if query.title else "title"))
    start = (query.page - 1) * query.page_size
    page = tuple(model_json(voice) for _, voice in found[start:start + query.page_size])
    return ModelPage(page, len(found), query.page, query.page_size)


def score(wanted: str, title: str) -> float:
    """How well ``title`` matches ``wanted``, 0 to 1: the whole title, or its best run of as
    many words, compared letter by letter ("rachl" finds "Rachel", "deep narator" finds
    "Deep Narrator voice")."""
    wanted, title = wanted.casefold().strip(), title.casefold()
    if wanted in title:
        return 1.0
    words, size = title.split(), len(wanted.split())
    runs = [" ".join(words[i:i + size]) for i in range(max(1, len(words) - size + 1))]
    return max(SequenceMatcher(None, wanted, run).ratio() for run in [title, *runs])


def _speaks(voice: Voice, language: str) -> bool:
    wanted = language.casefold().replace("_", "-").split("-")[0]
    return any(code.casefold() == wanted for code in voice.languages)


def _sorted(found: list[tuple[float, Voice]], sort: str) -> list[tuple[float, Voice]]:
    if sort == "relevance":
        return sorted(found, key=lambda item: (-item[0], item[1].name.casefold()))
    field = sort.removeprefix("-")
    return sorted(found, key=lambda item: (item[1].name if field == "title"
                                           else item[1].language).casefold(),
                  reverse=sort.startswith("-"))


class PageCache:
    """Pages of the list by caller and query, kept ``seconds``; thread-safe."""

    def __init__(self, seconds: float, size: int = CACHED_PAGES) -> None:
        self.seconds = seconds
        self.size = size
        self._pages: OrderedDict[tuple[str, ModelQuery], tuple[float, ModelPage]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user_id: str, query: ModelQuery) -> ModelPage | None:
        with self._lock:
            kept = self._pages.get((user_id, query))
            if kept is None or time.monotonic() - kept[0] > self.seconds:
                return None
            self._pages.move_to_end((user_id, query))
            return kept[1]

    def put(self, user_id: str, query: ModelQuery, page: ModelPage) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._pages[(user_id, query)] = (time.monotonic(), page)
            self._pages.move_to_end((user_id, query))
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def listed(cache: PageCache, voices: Iterable[Voice], user_id: str, query: ModelQuery,
           refresh: bool = False) -> tuple[ModelPage, bool]:
    """The page, and whether it came from ``cache``; ``refresh`` makes it anew (and keeps it)."""
    kept = None if refresh else cache.get(user_id, query)
    if kept is not None:
        return kept, True
    page = search(voices, query)
    cache.put(user_id, query, page)
    return page, False
