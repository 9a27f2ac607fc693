"""An async client for the real ElevenLabs API that survives what a remote API does.

Every request to the upstream holds a slot of one concurrency limit, so however
many tasks and requests want audio, at most N are in flight per API key. What
the upstream does under load (429 ``too_many_concurrent_requests`` or
``system_busy``, 5xx, a response that never comes, a dropped connection) is
retried with exponential backoff and full jitter, waiting at least what its
``Retry-After`` asks; the slot is given back while waiting. What retrying cannot
fix (400, 401, 403, 404, 422, ``quota_exceeded``) fails at once.

The API key travels only in the ``xi-api-key`` header: errors carry the
upstream's own message, never the request.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from pydantic import SecretStr

from voicer.errors import UpstreamError

log = logging.getLogger("voicer.upstream")

_NOT_RETRIED = frozenset({"quota_exceeded"})  # the upstream's own names for final refusals


class ConcurrencyLimit(Protocol):
    """At most N requests in flight: one slot per request, held until its body is read."""

    size: int  # N

    def slot(self) -> AbstractAsyncContextManager[None]: ...


class LocalLimit:
    """The limit within one process (all its requests go through one event loop)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._semaphore = asyncio.Semaphore(size)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._semaphore:
            yield


class SharedLimit:
    """The limit across every process and machine: a counter in Redis (Dramatiq's
    ``ConcurrentRateLimiter``). The counter expires ``lease`` after it was last touched; a
    holder renews it, so the slots of a process that died are freed once the rest are quiet."""

    _POLL = 0.05  # seconds between tries for a free slot

    def __init__(self, redis_url: str, size: int, lease: float,
                 key: str = "voicer-elevenlabs-in-flight") -> None:
        from dramatiq.rate_limits import ConcurrentRateLimiter
        from dramatiq.rate_limits.backends import RedisBackend

        self.size = size
        self._lease = lease
        self._key = key
        self._backend = RedisBackend(url=redis_url)
        self._limiter = ConcurrentRateLimiter(  # type: ignore[no-untyped-call]
            self._backend, key, limit=size, ttl=int(lease * 1000))

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        while True:
            held = self._limiter.acquire(raise_on_failure=False)
            if await asyncio.to_thread(held.__enter__):
                break
            await asyncio.to_thread(held.__exit__, None, None, None)
            await asyncio.sleep(self._POLL)
        renewing = asyncio.create_task(self._renew())
        try:
            yield
        finally:
            renewing.cancel()
            await asyncio.to_thread(held.__exit__, None, None, None)

    async def _renew(self) -> None:
        """While a slot is held, keep the counter from expiring with the lease: a slot held
        longer (a relayed WebSocket, a long stream) would be forgotten and the cap exceeded.
        Only a process that died stops renewing."""
        while True:
            await asyncio.sleep(self._lease / 3)
            await asyncio.to_thread(self._backend.client.pexpire, self._key,
                                    int(self._lease * 1000))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 12
    base: float = 0.5  # ceiling of the first delay, seconds
    cap: float = 30.0  # the ceiling never grows past this

    def delay(self, retry: int, retry_after: float | None, rng: random.Random) -> float:
        """Full jitter: anywhere up to an exponential ceiling, and never before ``Retry-After``."""
        jitter = rng.uniform(0, min(self.cap, self.base * 2**retry))
        return max(jitter, retry_after or 0.0)


# Multipart files: by field (one file each) or as (field, file) pairs (several of one field).
Files = dict[str, tuple[str, bytes, str]] | list[tuple[str, tuple[str, bytes, str]]]


@dataclass(frozen=True, slots=True)
class Answer:
    """A whole upstream answer."""

    content: bytes
    headers: httpx.Headers

    @property
    def request_id(self) -> str | None:
        request_id: str | None = self.headers.get("request-id")
        return request_id


@dataclass
class Stream:
    """An upstream answer whose body arrives as it is made."""

    headers: httpx.Headers
    chunks: AsyncIterator[bytes]


class _Retry(Exception):
    """A failure worth another try."""

    def __init__(self, reason: str, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class UpstreamClient:
    def __init__(self, base_url: str, api_key: SecretStr, limit: ConcurrencyLimit,
                 policy: RetryPolicy = RetryPolicy(), timeout: float = 120.0,
                 transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Any] = asyncio.sleep, seed: int | None = None) -> None:
        self.limit = limit
        self.policy = policy
        self._sleep = sleep
        self._rng = random.Random(seed)
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers={"xi-api-key": api_key.get_secret_value()},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), transport=transport,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
        )

    def __repr__(self) -> str:  # never the key
        return f"UpstreamClient({str(self._http.base_url)!r})"

    async def close(self) -> None:
        await self._http.aclose()

    async def get_json(self, path: str, params: dict[str, Any] | None = None,
                       policy: RetryPolicy | None = None) -> Any:
        """A catalogue read: retried like speech, but outside the speech concurrency limit."""
        answer = await self._with_retries(path, lambda: self._fetch("GET", path, params, None),
                                          policy or self.policy)
        return json.loads(answer.content)

    async def post(self, path: str, body: dict[str, Any],
                   params: dict[str, Any] | None = None) -> Answer:
        """A whole answer, within the concurrency limit."""

        async def attempt() -> Answer:
            async with self.limit.slot():
                return await self._fetch("POST", path, params, body)

        return await self._with_retries(path, attempt)

    async def delete(self, path: str) -> Answer:
        """A DELETE, retried like a catalogue read."""
        return await self._with_retries(path, lambda: self._fetch("DELETE", path, None, None))

    async def send(self, method: str, path: str, params: dict[str, Any] | None = None,
                   body: dict[str, Any] | None = None,
                   form: Mapping[str, str | list[str]] | None = None,
                   files: Files | None = None) -> Answer:
        """A whole answer to any request (JSON ``body``, or ``form`` fields and ``files`` as
        multipart), within the concurrency limit, retried like speech: uploads and relayed
        dubbing."""

        async def attempt() -> Answer:
            async with self.limit.slot():
                try:
                    response = await self._http.request(method, path, params=params, json=body,
                                                        data=form, files=files)
                except (httpx.TimeoutException, httpx.TransportError) as error:
                    raise _Retry(_transport_reason(error)) from None
                if response.status_code != 200:
                    raise _failure(response)
                return Answer(response.content, response.headers)

        return await self._with_retries(path, attempt)

    @asynccontextmanager
    async def stream(self, path: str, body: dict[str, Any],
                     params: dict[str, Any] | None = None) -> AsyncIterator[Stream]:
        """An answer streamed as it arrives. Retries happen until the upstream says 200;
        after that the bytes are the caller's, and a failure mid-body is final."""
        for retry in range(self.policy.attempts):
            async with self.limit.slot():
                try:
                    response = await self._open(path, params, body)
                except _Retry as failure:
                    last = failure
                else:
                    try:
                        yield Stream(response.headers, _body(response))
                    finally:
                        await response.aclose()
                    return
            await self._wait(path, retry, last)
        raise _exhausted(self.policy.attempts, last)

    async def _open(self, path: str, params: dict[str, Any] | None,
                    body: dict[str, Any]) -> httpx.Response:
        """Send, and read up to the status: a 200 whose body is still to come."""
        request = self._http.build_request("POST", path, params=params, json=body)
        try:
            response = await self._http.send(request, stream=True)
        except (httpx.TimeoutException, httpx.TransportError) as error:
            raise _Retry(_transport_reason(error)) from None
        if response.status_code == 200:
            return response
        try:
            await response.aread()
        except (httpx.TimeoutException, httpx.TransportError) as error:
            raise _Retry(_transport_reason(error)) from None
        finally:
            await response.aclose()
        raise _failure(response)

    async def _fetch(self, method: str, path: str, params: dict[str, Any] | None,
                     body: dict[str, Any] | None) -> Answer:
        try:
            response = await self._http.request(method, path, params=params, json=body)
        except (httpx.TimeoutException, httpx.TransportError) as error:
            raise _Retry(_transport_reason(error)) from None
        if response.status_code != 200:
            raise _failure(response)
        return Answer(response.content, response.headers)

    async def _with_retries(self, path: str, attempt: Callable[[], Any],
                            policy: RetryPolicy | None = None) -> Answer:
        policy = policy or self.policy
        for retry in range(policy.attempts):
            try:
                answer: Answer = await attempt()
                return answer
            except _Retry as failure:
                last = failure
                await self._wait(path, retry, failure, policy)
        raise _exhausted(policy.attempts, last)

    async def _wait(self, path: str, retry: int, failure: _Retry,
                    policy: RetryPolicy | None = None) -> None:
        policy = policy or self.policy
        if retry + 1 >= policy.attempts:
            return
        delay = policy.delay(retry, failure.retry_after, self._rng)
        log.warning("upstream %s: %s; retry %d in %.2f s", path, failure.reason, retry + 1, delay)
        started = time.monotonic()
        await self._sleep(delay)
        log.debug("upstream %s: waited %.2f s", path, time.monotonic() - started)


async def _body(response: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_bytes():
            yield chunk
    except (httpx.TimeoutException, httpx.TransportError) as error:
        raise UpstreamError(f"ElevenLabs upstream stopped mid-answer: {_transport_reason(error)}",
                            None) from None


def _failure(response: httpx.Response) -> _Retry:
    """A non-200 answer: a ``_Retry`` to try again, or raises ``UpstreamError`` if final."""
    status = response.status_code
    name, message = _detail(response)
    reason = f"{status} {name or response.reason_phrase}: {message}" if message else (
        f"{status} {name or response.reason_phrase}")
    if name in _NOT_RETRIED or not (status == 429 or status >= 500 or status == 408):
        raise UpstreamError(f"ElevenLabs upstream refused the request ({reason})", status)
    return _Retry(reason, status, _retry_after(response.headers.get("retry-after")))


def _detail(response: httpx.Response) -> tuple[str | None, str]:
    """ElevenLabs' ``{"detail": {"status", "message"}}``, or a plain detail, or the text."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return None, response.text[:300]
    if isinstance(detail, dict):
        return detail.get("status"), str(detail.get("message", ""))[:300]
    return None, str(detail or "")[:300]


def _retry_after(value: str | None) -> float | None:
    """Seconds, or an HTTP date, as RFC 9110 allows."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _transport_reason(error: Exception) -> str:
    if isinstance(error, httpx.TimeoutException):
        return f"no answer in time ({type(error).__name__})"
    return f"connection failed ({type(error).__name__})"


def _exhausted(attempts: int, failure: _Retry) -> UpstreamError:
    retry_after = None if failure.retry_after is None else max(1, round(failure.retry_after))
    return UpstreamError(f"ElevenLabs upstream failed after {attempts} attempts: {failure.reason}",
                         failure.status, retry_after)
