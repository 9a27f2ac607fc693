"""The proxy's side of a client connection: HTTP/1.1 (h11) over an asyncio stream,
and the count of requests open at once."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, cast

import h11

READ_SIZE = 65536
CLOSE_TIMEOUT = 1.0  # seconds a closing connection may take to flush before it is cut


class InFlight:
    """Requests open at once: from a request's head until its answer is sent or its connection closes.

    Changed on the proxy's loop, read from the test's thread.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._now = 0
        self._most = 0

    @property
    def now(self) -> int:
        with self._changed:
            return self._now

    @property
    def most(self) -> int:
        with self._changed:
            return self._most

    def take_off(self) -> Flight:
        with self._changed:
            self._now += 1
            self._most = max(self._most, self._now)
        return Flight(self)

    def land(self) -> None:
        with self._changed:
            self._now -= 1
            self._changed.notify_all()

    def restart_most(self) -> None:
        with self._changed:
            self._most = self._now

    def wait_idle(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._now == 0, timeout)


class Flight:
    """One open request; ending it twice counts once."""

    def __init__(self, count: InFlight) -> None:
        self._count: InFlight | None = count

    def end(self) -> None:
        if self._count is not None:
            self._count.land()
            self._count = None


class ClientConnection:
    """h11 events in and out of one client connection, and the flight of its open request.

    The flight ends with the write of an answer's last bytes (an answer's end goes out with
    its last byte: chunked, or whole), or as the connection closes: when the client hangs up
    (noticed while the proxy answers or hangs), or when the proxy drops or closes it.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._h11 = h11.Connection(h11.SERVER)
        self.flight: Flight | None = None
        # drain() waits until the socket has taken every byte: a slow client slows the stream.
        writer.transport.set_write_buffer_limits(high=0)

    async def next_event(self) -> h11.Event | type[h11.PAUSED]:
        """The next h11 event from the client, reading as needed."""
        while (event := self._h11.next_event()) is h11.NEED_DATA:
            if self._h11.they_are_waiting_for_100_continue:
                await self.send(h11.InformationalResponse(status_code=100, headers=[]))
            self._h11.receive_data(await self._reader.read(READ_SIZE))
        return cast(h11.Event | type[h11.PAUSED], event)

    async def read_body(self) -> bytes:
        pieces: list[bytes] = []
        while isinstance(event := await self.next_event(), h11.Data):
            pieces.append(bytes(event.data))
        if not isinstance(event, h11.EndOfMessage):
            raise h11.RemoteProtocolError(f"expected the end of the request body, got {event!r}")
        return b"".join(pieces)

    async def send(self, *events: h11.Event) -> None:
        """Write the events and wait until the socket has taken them.

        The write that ends an answer lands its flight first, in the same step: whoever sees
        the whole answer (the client, a test in another thread) sees it no longer counted.
        """
        if isinstance(events[-1], h11.EndOfMessage):
            self._land()
        for event in events:
            if data := self._h11.send(event):
                self._writer.write(data)
        await self._writer.drain()

    async def until_client_leaves(self) -> None:
        """Wait for the client to close its side; what it sends meanwhile is kept for h11."""
        while data := await self._read_or_nothing():
            self._h11.receive_data(data)
        self._land()

    async def unless_client_leaves(self, work: Coroutine[Any, Any, None]) -> bool:
        """Run ``work`` until it ends or the client hangs up; True if it ended (raising what it raised)."""
        worker = asyncio.create_task(work)
        watcher = asyncio.create_task(self.until_client_leaves())
        try:
            await asyncio.wait((worker, watcher), return_when=asyncio.FIRST_COMPLETED)
        finally:
            worker.cancel()
            watcher.cancel()
            await asyncio.gather(worker, watcher, return_exceptions=True)
        if worker.cancelled():
            return False
        worker.result()
        return True

    def next_cycle(self) -> bool:
        """Ready the connection for the client's next request; False if it must close instead."""
        if self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE:
            self._h11.start_next_cycle()
            return True
        return False

    def abort(self) -> None:
        """Cut the connection at once, sending nothing more."""
        self._land()
        self._writer.transport.abort()

    async def close(self) -> None:
        self._land()
        self._writer.close()
        try:
            await asyncio.wait_for(self._writer.wait_closed(), CLOSE_TIMEOUT)
        except OSError:  # reset by the client, or too slow to flush (TimeoutError)
            self._writer.transport.abort()

    async def _read_or_nothing(self) -> bytes:
        with contextlib.suppress(OSError):
            return await self._reader.read(READ_SIZE)
        return b""

    def _land(self) -> None:
        if self.flight is not None:
            self.flight.end()
