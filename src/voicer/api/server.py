"""How Voicer runs uvicorn: its HTTP/1.1 protocol, with a deadline for each request's headers.

uvicorn closes a kept-alive connection that stays idle for ``timeout_keep_alive`` (5 s), but
waits as long as it takes for a request's headers: a client that sends them a byte at a time,
or sends nothing at all, holds its connection (a socket, a file descriptor) for as long as it
likes, and a few hundred such clients hold the server's. Here a request has
``VOICER_HEADER_TIMEOUT`` seconds for its headers: from the moment the connection is made for
the first request, from its first byte for each one after it on a kept-alive connection (the
wait before that byte is the keep-alive timeout's). A connection that sent part of a request
in that time is answered 408 and closed; one that sent nothing is closed.
"""

from __future__ import annotations

import asyncio
from asyncio import TimerHandle
from pathlib import Path
from typing import ClassVar

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from voicer.settings import Settings

GRACEFUL_SHUTDOWN_SECONDS = 10
_LATE = b"request headers not received in time"


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing connections whose request headers are late."""

    header_timeout: ClassVar[float] = 10.0
    _timer: TimerHandle | None = None
    _begun = False  # a byte of the current request has arrived

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._begun = True
        if self._timer is None:  # the first request's deadline runs from the connection's start
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        self._begun = False
        super().on_headers_complete()

    def _arm(self) -> None:
        self._timer = self.loop.call_later(self.header_timeout, self._late)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _late(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # a pipelined request is late behind a response still going out: close after it
            self.cycle.keep_alive = False
            return
        if self._begun:
            self.transport.write(_request_timeout(self.server_state.default_headers))
        self.transport.close()


def _request_timeout(default_headers: list[tuple[bytes, bytes]]) -> bytes:
    head = [STATUS_LINE[408], *(name + b": " + value + b"\r\n" for name, value in default_headers)]
    return b"".join([*head, b"content-type: text/plain; charset=utf-8\r\n",
                     b"content-length: %d\r\n" % len(_LATE), b"connection: close\r\n\r\n", _LATE])


def protocol(header_timeout: float) -> type[HeaderDeadlineProtocol]:
    """The protocol class uvicorn makes one of per connection, with this deadline."""
    return type("HeaderDeadlineProtocol", (HeaderDeadlineProtocol,),
                {"header_timeout": header_timeout})


def run(app: ASGIApp, settings: Settings, host: str, port: int,
        ssl_certfile: Path | None = None, ssl_keyfile: Path | None = None) -> None:
    """Serve ``app`` until SIGINT or SIGTERM (then up to 10 s for the requests in flight)."""
    uvicorn.run(app, host=host, port=port, http=protocol(settings.header_timeout),
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
                ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
                ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None)
