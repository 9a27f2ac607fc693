"""Per-token request limits with the ``limits`` library, and the cap on open event streams.

Two budgets per token. Reads (GET: status, events, lists, downloads) have a per-minute limit
of their own, large enough for a client polling its tasks every second. Everything else
(submitting, cancelling, speaking) has a per-minute limit and an hourly limit by plan.
Storage is in memory by default and can be Redis, so several API processes share one count.

The sliding-window counter costs the same whatever the traffic; a moving window
keeps every hit of the hour and slowed each request as the hour filled up. With
Redis (``redis://host:6379/0``) each hit is one atomic script on the server, so
two processes can never both take the last request of a window.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from voicer.errors import RateLimited, TooManyStreams
from voicer.settings import Settings


@dataclass(frozen=True, slots=True)
class Allowance:
    """What is left of the per-minute limit after a request: for the RateLimit headers."""

    limit: int
    remaining: int
    reset: int  # seconds until the window frees a request

    def headers(self) -> dict[str, str]:
        return {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
                "RateLimit-Reset": str(self.reset)}


log = logging.getLogger("voicer.ratelimit")
_REDIS_TIMEOUT = 0.5  # seconds
_READS = "reads"  # the second part of a read budget's key: its window is not the other's


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        options: dict[str, float] = {}
        if settings.rate_limit_storage.startswith(("redis://", "rediss://")):
            # a Redis that is away must cost a request a moment, not seconds of retries
            options = {"socket_timeout": _REDIS_TIMEOUT, "socket_connect_timeout": _REDIS_TIMEOUT}
        self._limiter = SlidingWindowCounterRateLimiter(
            storage_from_string(settings.rate_limit_storage, **options))
        self._minute = RateLimitItemPerMinute(settings.requests_per_minute)
        self._reads = RateLimitItemPerMinute(settings.reads_per_minute)

    def hit(self, token_id: str, plan: str, read: bool = False) -> Allowance:
        """Count one request for ``token_id``; ``RateLimited`` if a limit is spent.

        A read counts against the per-minute read limit only; anything else against the
        per-minute limit and the plan's hourly one. If the shared storage cannot be reached
        the request is let through (and logged): an outage of the limiter's Redis must not
        take the API down with it.
        """
        key = (token_id, _READS) if read else (token_id,)
        items: list[RateLimitItem] = [self._reads] if read else [
            self._minute, RateLimitItemPerHour(self._settings.hourly_limit(plan))]
        try:
            return self._hit(items, key)
        except RateLimited:
            raise
        except Exception:  # whatever the storage's client raised
            log.warning("rate-limit storage unreachable; request not counted", exc_info=True)
            return Allowance(items[0].amount, items[0].amount, 60)

    def _hit(self, items: list[RateLimitItem], key: tuple[str, ...]) -> Allowance:
        for item in items:
            if not self._limiter.hit(item, *key):
                reset = self._allowance(item, key).reset
                raise RateLimited(f"rate limit exceeded: {item.amount} requests per "
                                  f"{item.GRANULARITY.name}; retry in {reset} s",
                                  retry_after=reset, limit=item.amount)
        return self._allowance(items[0], key)

    def _allowance(self, item: RateLimitItem, key: tuple[str, ...]) -> Allowance:
        # one look at the window: with Redis each look is a round trip
        stats = self._limiter.get_window_stats(item, *key)
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return Allowance(item.amount, stats.remaining, reset)


class StreamLimit:
    """At most ``per_token`` event streams open at once for each token, in this process.

    Streams are long and cheap to keep, unlike requests, so they are counted while open
    rather than per minute.
    """

    def __init__(self, per_token: int) -> None:
        self.per_token = per_token
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()  # routes open streams from the thread pool

    def open(self, token_id: str) -> Callable[[], None]:
        """Count a stream of ``token_id``'s; ``TooManyStreams`` past the limit.

        Returns the function that counts it closed: call it however the stream ends
        (calls after the first do nothing).
        """
        with self._lock:
            if self._open[token_id] >= self.per_token:
                raise TooManyStreams(self.per_token)
            self._open[token_id] += 1
        closed = threading.Event()

        def close() -> None:
            with self._lock:
                if closed.is_set():
                    return
                closed.set()
                self._open[token_id] -= 1
                if self._open[token_id] <= 0:
                    del self._open[token_id]

        return close
