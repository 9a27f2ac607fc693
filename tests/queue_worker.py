"""A ``voicer worker``'s actors run in the test's own process, on a real broker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dramatiq

from voicer.tasks.worker import ChunkWorker


@contextmanager
def consuming(worker: ChunkWorker) -> Iterator[ChunkWorker]:
    """``worker`` taking messages from its broker in a thread until the block ends; then closed."""
    running = dramatiq.Worker(worker.broker, worker_threads=1, worker_timeout=100)
    running.start()
    try:
        yield worker
    finally:
        running.stop()
        worker.close()
