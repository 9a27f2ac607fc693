"""A claim that a worker keeps fresh while it works: the way Voicer's workers, on any machine,
tell the others that a job (a task's assembly, a dubbing project) is in hand.

A claim is a timestamp on the job's row. While the work runs, a thread writes it again every
third of the lease; a worker that dies stops writing, and once the lease has passed another
worker takes the job over.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

log = logging.getLogger("voicer.lease")


@contextmanager
def renewing(lease: timedelta, renew: Callable[[], None], name: str) -> Iterator[None]:
    """Call ``renew`` every third of ``lease`` while the block runs; a failed renewal (the
    database away) is logged and tried again at the next turn: the claim may go stale."""
    done = threading.Event()

    def keep() -> None:
        while not done.wait(lease.total_seconds() / 3):
            try:
                renew()
            except Exception:
                log.exception("could not renew the claim on %s", name)

    renewer = threading.Thread(target=keep, name=f"lease-{name}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()
