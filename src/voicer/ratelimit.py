"""Per-token request limits with the ``limits`` library: a per-minute limit for
everyone and an hourly limit by plan. Storage is in memory by default and
can be Redis, so several API processes share one count.

The sliding-window counter costs the same whatever the traffic; a moving window
keeps every hit of the hour and slowed each request as the hour filled up. With
Redis (``redis://host:6379/0``) each hit is one atomic script on the server, so
two processes can never both take the last request of a window.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from voicer.errors import RateLimited
from voicer.settings import Settings


@dataclass(frozen=True, slots=True)
class Allowance:
    """What is left of the per-minute limit after a request: for the RateLimit headers."""

    limit: int
    remaining: int
    reset: int  # seconds until the window frees a request


log = logging.getLogger("voicer.ratelimit")
_REDIS_TIMEOUT = 0.5  # seconds


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

    def hit(self, token_id: str, plan: str) -> Allowance:
        """Count one request for ``token_id``; ``RateLimited`` if a limit is spent.

        If the shared storage cannot be reached the request is let through (and logged):
        an outage of the limiter's Redis must not take the API down with it.
        """
        try:
            return self._hit(token_id, plan)
        except RateLimited:
            raise
        except Exception:  # whatever the storage's client raised
            log.warning("rate-limit storage unreachable; request not counted", exc_info=True)
            return Allowance(self._minute.amount, self._minute.amount, 60)

    def _hit(self, token_id: str, plan: str) -> Allowance:
        hour = RateLimitItemPerHour(self._settings.hourly_limit(plan))
        for item in (self._minute, hour):
            if not self._limiter.hit(item, token_id):
                reset = self._allowance(item, token_id).reset
                raise RateLimited(f"rate limit exceeded: {item.amount} requests per "
                                  f"{item.GRANULARITY.name}; retry in {reset} s",
                                  retry_after=reset, limit=item.amount)
        return self._allowance(self._minute, token_id)

    def _allowance(self, item: RateLimitItem, key: str) -> Allowance:
        # one look at the window: with Redis each look is a round trip
        stats = self._limiter.get_window_stats(item, key)
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return Allowance(item.amount, stats.remaining, reset)
