"""How fast the service speaks, measured, for estimated times."""

from __future__ import annotations

import threading

# Until something is measured: characters per second one worker managed in the
# core benchmark (100,000 characters in 28.4 s), rounded down.
PRIOR_PER_WORKER = 3_000.0
_WEIGHT = 0.2  # of the newest observation in the moving average


class ThroughputMeter:
    """An exponential moving average of characters synthesized per wall-clock second."""

    def __init__(self, initial: float) -> None:
        self._rate = initial
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        return self._rate

    def record(self, characters: int, seconds: float) -> None:
        if characters <= 0 or seconds <= 0:
            return
        with self._lock:
            self._rate += _WEIGHT * (characters / seconds - self._rate)

    def seconds_for(self, characters: int) -> float:
        return max(0.1, round(characters / self._rate, 1))
