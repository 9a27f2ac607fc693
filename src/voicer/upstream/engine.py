"""The real ElevenLabs API as an engine: its voices and models, task chunks, relayed requests.

One ``Upstream`` per process, held by the app. It owns an event loop thread where
every upstream request runs, so one concurrency limit covers all of them; the
task runner and the request threads talk to it through that loop.

It is a speech engine like the local ones (``format``, ``synthesize``: one text, one request),
and more: it renders a task's chunks itself, with continuity (``render``), and relays
ElevenLabs requests as they are (``relay``).

Task chunks are fetched as PCM and encoded here like the local engine's, so
chunks join gaplessly and pauses are exact. With ``ordered`` continuity a task's
chunks go one after another and each names the request ids of the (up to) three
before it, which ElevenLabs uses to continue the prosody; ``parallel`` sends
several at once with the neighbouring texts as context only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Coroutine, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

import httpx

from voicer.audio import Audio, AudioFormat
from voicer.engines.base import Speech
from voicer.errors import UpstreamError
from voicer.models import UPSTREAM_ENGINE, Model
from voicer.pipeline.jobs import STITCHED_REQUESTS, ChunkJob, RenderSpec
from voicer.pipeline.render import ChunkEncoder, RenderedChunk
from voicer.settings import Settings
from voicer.text.normalize import Normalization
from voicer.upstream import tags
from voicer.upstream.client import (
    Answer,
    ConcurrencyLimit,
    LocalLimit,
    RetryPolicy,
    SharedLimit,
    UpstreamClient,
)
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice

log = logging.getLogger("voicer.upstream")
T = TypeVar("T")

# Requests in flight ElevenLabs allows per subscription tier (its documented plan limits).
TIER_CONCURRENCY = {"free": 2, "starter": 3, "creator": 5, "pro": 10, "scale": 15, "business": 15}
DEFAULT_CONCURRENCY = 2
_MISS_REFRESH_SECONDS = 30.0  # an unknown voice id refreshes the listing at most this often
_PAGE = 100
_RELIST = 30.0  # seconds before a listing that could not be read is tried again
_LISTING_POLICY = RetryPolicy(attempts=3, base=0.5, cap=2.0)  # a listing must not stall requests
# What ``synthesize`` speaks with: the model the official SDKs default to.
SYNTHESIS_MODEL = "eleven_multilingual_v2"


@dataclass(frozen=True, slots=True)
class Listing:
    """What the upstream offers, as of ``fetched`` (monotonic seconds)."""

    voices: dict[str, Voice] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    fetched: float = float("-inf")


class Upstream:
    name = UPSTREAM_ENGINE  # in the engine registry, and on its voices, models and tasks

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        assert settings.elevenlabs_api_key is not None, "the upstream needs a key"
        self.settings = settings
        self.pcm_rate = int(settings.elevenlabs_task_format.removeprefix("pcm_"))
        self.format = AudioFormat(self.pcm_rate)  # of every piece it speaks
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="voicer-upstream",
                                        daemon=True)
        self._thread.start()
        self._listing = Listing()
        self._listing_lock = threading.Lock()
        self._last_miss = float("-inf")
        policy = RetryPolicy(settings.elevenlabs_max_attempts, settings.elevenlabs_backoff,
                             settings.elevenlabs_backoff_cap)
        key = settings.elevenlabs_api_key

        async def connect() -> UpstreamClient:
            client = UpstreamClient(settings.elevenlabs_base_url, key, LocalLimit(1), policy,
                                    settings.elevenlabs_timeout, transport)
            size = settings.elevenlabs_concurrency or await _tier_concurrency(client)
            client.limit = _limit(settings, size)
            return client

        self.client = self.call(connect())

    @property
    def concurrency(self) -> int:
        return self.client.limit.size

    @property
    def running(self) -> bool:
        return not self._loop.is_closed()

    def call(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the upstream's loop and wait for it (from any other thread)."""
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """One slot of the concurrency limit, held from another event loop while the block runs
        (a relayed WebSocket holds one for its whole life)."""
        acquired: concurrent.futures.Future[None] = concurrent.futures.Future()
        holder = asyncio.run_coroutine_threadsafe(_hold(self.client.limit, acquired), self._loop)
        try:
            await asyncio.wrap_future(acquired)
            yield
        finally:
            holder.cancel()  # leaves the slot, or stops waiting for one

    def close(self) -> None:
        if not self.running:
            return
        self.call(self.client.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    # -- voices and models -------------------------------------------------------------------

    def add_voice(self, data: dict[str, str], files: list[tuple[str, bytes, str]]) -> str:
        """An instant clone made upstream (``POST /v1/voices/add``): its voice id. The listing
        is read again, so the new voice is found at once."""
        answer = self.call(self.client.send("POST", "/v1/voices/add", form=data,
                                            files=[("files", file) for file in files]))
        voice_id = str(json.loads(answer.content)["voice_id"])
        self.listing(refresh=True)
        return voice_id

    def delete_voice(self, voice_id: str) -> None:
        """Delete a voice cloned upstream; the listing is read again without it."""
        self.call(self.client.delete(f"/v1/voices/{voice_id}"))
        self.listing(refresh=True)


    def listing(self, refresh: bool = False) -> Listing:
        """The upstream's voices and models, read again when older than the TTL.

        A failed read keeps the last good listing (and logs why); the first read that fails
        leaves an empty one, so the service starts even while the upstream is away.
        """
        with self._listing_lock:
            age = time.monotonic() - self._listing.fetched
            if refresh or age > self.settings.elevenlabs_cache_seconds:
                try:
                    self._listing = self.call(self._fetch_listing())
                except UpstreamError as error:
                    log.warning("could not read the upstream's voices and models: %s", error)
                    # keep what we had, and look again in a little while, not on every request
                    retry_at = time.monotonic() - self.settings.elevenlabs_cache_seconds + _RELIST
                    self._listing = replace(self._listing, fetched=retry_at)
            return self._listing

    def voices(self) -> dict[str, Voice]:
        return self.listing().voices

    def models(self) -> dict[str, Model]:
        return self.listing().models

    def find_voice(self, voice_id: str) -> Voice | None:
        """An upstream voice by id; an unknown id reads the listing again (not too often)."""
        voice = self.listing().voices.get(voice_id)
        if voice is None and time.monotonic() - self._last_miss > _MISS_REFRESH_SECONDS:
            self._last_miss = time.monotonic()
            voice = self.listing(refresh=True).voices.get(voice_id)
        return voice

    def performs_tags(self, model_id: str) -> bool:
        """Whether ``model_id`` gets audio tags as they are (``voicer.upstream.tags``)."""
        model = self.models().get(model_id)
        return tags.performed(model_id, model.listing if model is not None else None)

    def text_for(self, model_id: str, text: str) -> str:
        """``text`` as the upstream's ``model_id`` is to get it: tags only if it performs them."""
        return text if self.performs_tags(model_id) else tags.untagged(text)

    async def _fetch_listing(self) -> Listing:
        voices: dict[str, Voice] = {}
        token: str | None = None
        while True:
            params: dict[str, Any] = {"page_size": _PAGE, "include_total_count": "false"}
            if token:
                params["next_page_token"] = token
            page = await self.client.get_json("/v2/voices", params, _LISTING_POLICY)
            for entry in page.get("voices", []):
                voice = upstream_voice(entry)
                voices[voice.voice_id] = voice
            token = page.get("next_page_token")
            if not page.get("has_more") or not token:
                break
        models = {model.model_id: model for model in map(upstream_model,
                                                         await self.client.get_json("/v1/models", None,
                                                                                    _LISTING_POLICY))
                  if model is not None}
        return Listing(voices, models, time.monotonic())

    # -- speech ------------------------------------------------------------------------------

    def synthesize(self, text: str, voice: Voice, settings: VoiceSettings,
                   language: str | None = None) -> Iterator[Speech]:
        """Speak ``text`` with an upstream voice in one request (the engine protocol); a task's
        chunks go through ``render``, which adds the neighbours' context."""
        body = _speech_body(self.text_for(SYNTHESIS_MODEL, text), SYNTHESIS_MODEL, settings,
                            language)
        pcm, _ = self.call(self._speak(voice.voice_id, body))
        yield Speech(Audio.from_bytes(pcm, self.pcm_rate))

    def render(self, spec: RenderSpec, jobs: Iterable[ChunkJob]) -> Iterator[RenderedChunk]:
        """Chunks as they finish: one at a time with ``ordered`` continuity, else up to the
        concurrency limit at once. A chunk the upstream cannot speak raises ``UpstreamError``."""
        ordered = self.settings.elevenlabs_continuity == "ordered"
        window = 1 if ordered else self.concurrency
        stitched: deque[str] = deque(maxlen=STITCHED_REQUESTS)
        last = -2  # the chunk this run spoke last, whose request-id ``stitched`` ends with
        encoder = ChunkEncoder()
        waiting = iter(jobs)
        running: dict[concurrent.futures.Future[tuple[bytes, str | None]], ChunkJob] = {}
        try:
            while True:
                for job in waiting:
                    if ordered and job.index != last + 1:  # resumed: stitch to what was stored
                        stitched = deque(job.previous_request_ids, maxlen=STITCHED_REQUESTS)
                    body = self._chunk_body(spec, job, list(stitched) if ordered else [])
                    running[asyncio.run_coroutine_threadsafe(self._speak(spec.voice.voice_id, body),
                                                             self._loop)] = job
                    if len(running) >= window:
                        break
                if not running:
                    return
                done, _ = concurrent.futures.wait(running, return_when="FIRST_COMPLETED")
                for future in done:
                    job = running.pop(future)
                    pcm, request_id = future.result()
                    if request_id:
                        stitched.append(request_id)
                    else:  # nothing to stitch the next chunk to
                        stitched.clear()
                    last = job.index
                    audio = Audio.from_bytes(pcm, self.pcm_rate)
                    rendered = encoder.encode(spec, job, audio, (), 0.0)
                    yield replace(rendered, request_id=request_id)
        finally:
            for future in running:
                future.cancel()

    def _chunk_body(self, spec: RenderSpec, job: ChunkJob, previous_ids: list[str]) -> dict[str, Any]:
        said = partial(self.text_for, spec.model_id)
        body = _speech_body(said(job.text), spec.model_id, spec.settings, spec.language_code)
        if spec.normalization is not Normalization.auto:  # the upstream decides on auto
            body["apply_text_normalization"] = spec.normalization.value
        if job.previous_text:
            body["previous_text"] = said(job.previous_text)
        if job.next_text:
            body["next_text"] = said(job.next_text)
        if previous_ids:
            body["previous_request_ids"] = previous_ids
        return body

    async def _speak(self, voice_id: str, body: dict[str, Any]) -> tuple[bytes, str | None]:
        """The PCM the upstream speaks ``body`` as, and its request id."""
        answer = await self.client.post(f"/v1/text-to-speech/{voice_id}", body,
                                        {"output_format": self.settings.elevenlabs_task_format})
        return answer.content, answer.request_id

    # -- relayed requests --------------------------------------------------------------------

    def send(self, method: str, path: str, params: Mapping[str, Any] | None = None,
             body: dict[str, Any] | None = None,
             form: Mapping[str, str | list[str]] | None = None,
             files: dict[str, tuple[str, bytes, str]] | None = None) -> Answer:
        """The upstream's whole answer to one request (see ``UpstreamClient.send``)."""
        return self.call(self.client.send(method, path, dict(params or {}), body, form, files))

    def relay(self, path: str, body: dict[str, Any], params: Mapping[str, Any]) -> Relayed:
        """Open an upstream answer and hand its bytes on as they arrive."""
        stream = self._relay(path, body, params)
        headers = self.call(_next(stream))
        assert isinstance(headers, httpx.Headers)
        return Relayed(self, headers, stream)

    async def _relay(self, path: str, body: dict[str, Any],
                     params: Mapping[str, Any]) -> AsyncGenerator[httpx.Headers | bytes]:
        async with self.client.stream(path, body, dict(params)) as answer:
            yield answer.headers
            async for chunk in answer.chunks:
                yield chunk


class Relayed:
    """An upstream answer being relayed: its headers now, its body as it comes.

    Closing it (or dropping it) ends the upstream request and frees its slot.
    """

    def __init__(self, upstream: Upstream, headers: httpx.Headers,
                 stream: AsyncGenerator[httpx.Headers | bytes]) -> None:
        self.headers = headers
        self._upstream = upstream
        self._stream = stream
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            while (chunk := self._upstream.call(_next(self._stream))) is not None:
                assert isinstance(chunk, bytes)
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._upstream.call(self._stream.aclose())

    def __del__(self) -> None:
        if not self._closed and self._upstream.running:
            self.close()


def _speech_body(text: str, model_id: str, settings: VoiceSettings,
                 language_code: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text, "model_id": model_id,
                            "voice_settings": settings.model_dump()}
    if language_code:
        body["language_code"] = language_code
    return body


def _limit(settings: Settings, size: int) -> ConcurrencyLimit:
    """With a broker, one limit for every process and machine of the deployment; else this
    process's own."""
    if settings.broker_url:
        # a slot of a process that died is freed once no request could still be using it
        return SharedLimit(settings.broker_url, size, lease=settings.elevenlabs_timeout * 3)
    return LocalLimit(size)


async def _hold(limit: ConcurrencyLimit, acquired: concurrent.futures.Future[None]) -> None:
    """On the upstream's loop: take a slot of ``limit``, say so, and keep it until cancelled."""
    try:
        async with limit.slot():
            if acquired.set_running_or_notify_cancel():
                acquired.set_result(None)
                await asyncio.Event().wait()
    except Exception as error:  # the limit itself failed (a shared limit's Redis is away)
        if not acquired.done() and acquired.set_running_or_notify_cancel():
            acquired.set_exception(error)


async def _next(stream: AsyncIterator[T]) -> T | None:
    try:
        return await anext(stream)
    except StopAsyncIteration:
        return None


async def _tier_concurrency(client: UpstreamClient) -> int:
    """The subscription tier's concurrency limit, or a safe default if it cannot be read."""
    try:
        subscription = await client.get_json("/v1/user/subscription", None, _LISTING_POLICY)
    except UpstreamError as error:
        log.warning("could not read the upstream subscription (%s); allowing %d requests at once",
                    error, DEFAULT_CONCURRENCY)
        return DEFAULT_CONCURRENCY
    tier = str(subscription.get("tier", "")).lower()
    return next((size for name, size in TIER_CONCURRENCY.items() if tier.startswith(name)),
                DEFAULT_CONCURRENCY)


_LANGUAGE = re.compile(r"[a-z]{2,3}")


def upstream_voice(entry: dict[str, Any]) -> Voice:
    """A voice of the upstream's ``/v2/voices``, keeping its own listing to show as it is."""
    labels = entry.get("labels") or {}
    languages = [str(item.get("language", "")).lower() for item in entry.get("verified_languages") or []]
    languages.append(str(labels.get("language", "")).lower())
    known = tuple(dict.fromkeys(code for code in languages if _LANGUAGE.fullmatch(code))) or ("en",)
    return Voice(
        voice_id=str(entry["voice_id"]), name=str(entry.get("name") or entry["voice_id"]),
        languages=known, gender=str(labels.get("gender", "")),
        age=str(labels.get("age", "")), accent=str(labels.get("accent", "")),
        description=str(labels.get("description", "")), use_case=str(labels.get("use_case", "")),
        long_description=str(entry.get("description") or ""), engine=UPSTREAM_ENGINE,
        listing={**entry, "engine": UPSTREAM_ENGINE},
    )


def upstream_model(entry: dict[str, Any]) -> Model | None:
    """A text-to-speech model of the upstream's ``/v1/models``; None for other kinds."""
    if not entry.get("can_do_text_to_speech", True) or "model_id" not in entry:
        return None
    limit = (entry.get("max_characters_request_subscribed_user")
             or entry.get("maximum_text_length_per_request")
             or entry.get("max_characters_request_free_user") or 5_000)
    return Model(str(entry["model_id"]), str(entry.get("name") or entry["model_id"]),
                 len(entry.get("languages") or []) > 1, int(limit),
                 str(entry.get("description") or ""), engine=UPSTREAM_ENGINE,
                 listing={**entry, "engine": UPSTREAM_ENGINE})
