"""The one way a test waits for something: look again until it holds or a deadline passes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(look: Callable[[], T | None], timeout: float, what: str, every: float = 0.05,
               not_yet: tuple[type[BaseException], ...] = (OSError,)) -> T:
    """Call ``look`` until it returns something truthy and return that; fail after ``timeout`` s.

    An exception in ``not_yet`` (say, a refused connection while a server starts) counts as
    "not yet"; anything else ``look`` raises fails the test at once.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = look()
        except not_yet:
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(every)
