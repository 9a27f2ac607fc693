"""A reverse proxy for tests that misbehaves on a seeded schedule.

``FaultProxy`` stands between an HTTP client under test and a real server. Each
request whose path starts with ``Faults.only`` draws its fate from
``random.Random(seed)`` in arrival order: answered 429 with ``Retry-After``,
answered 500, hung until the client gives up, dropped without a byte, or passed
on. What is passed on streams both ways: the answer goes back to the client
piece by piece as the target sends it.

The proxy keeps what it saw (``seen``) and how many requests were open at once
(``max_in_flight``): a request is open from the moment its head arrives until
the last bytes of its answer are written or its connection closes, whichever
side closes it.
It serves HTTP/1.1 with keep-alive on its own event loop in a thread.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import h11
import httpx

from tests.upstream.wire import ClientConnection, InFlight

Fault = Literal["429", "500", "hang", "drop"]
Headers = list[tuple[bytes, bytes]]

# Headers about one hop, never passed on (RFC 9110 §7.6.1).
HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization",
                        b"proxy-connection", b"te", b"trailer", b"transfer-encoding", b"upgrade"})
# Request headers the proxy's own client sets again for the target.
RESET_FOR_TARGET = frozenset({b"host", b"content-length", b"expect"})

# The answers the proxy makes up: status, ElevenLabs error name, message.
REFUSALS: dict[Fault, tuple[int, str, str]] = {
    "429": (429, "too_many_concurrent_requests",
            "Too many concurrent requests: the test proxy turned this one away."),
    "500": (500, "internal_server_error", "The test proxy failed this request on purpose."),
}
BAD_GATEWAY = (502, "bad_gateway", "The test proxy could not reach its target.")


@dataclass(frozen=True)
class Faults:
    """Shares of the requests (on ``only`` paths) that go wrong, and how."""

    too_many: float = 0.0  # answered 429 with Retry-After
    server_error: float = 0.0  # answered 500
    hang: float = 0.0  # read, then nothing sent until the client gives up
    drop: float = 0.0  # read, then the connection closed without a response
    retry_after: float = 1.0  # seconds, in the Retry-After header of 429s
    only: str = "/v1/text-to-speech/"  # faults apply only to paths starting with this

    def __post_init__(self) -> None:
        shares = (self.too_many, self.server_error, self.hang, self.drop)
        if any(share < 0 for share in shares) or sum(shares) > 1 + 1e-9:
            raise ValueError(f"fault shares must be at least 0 and add up to at most 1: {shares}")
        if self.retry_after < 0:
            raise ValueError("retry_after must be at least 0")

    def pick(self, draw: float) -> Fault | None:
        """The fault for a uniform draw in [0, 1): each takes its share of the line, in order."""
        edge = 0.0
        shares: tuple[tuple[Fault, float], ...] = (
            ("429", self.too_many), ("500", self.server_error), ("hang", self.hang), ("drop", self.drop))
        for fault, share in shares:
            edge += share
            if draw < edge:
                return fault
        return None

    @property
    def retry_after_header(self) -> str:
        whole = float(self.retry_after).is_integer()
        return str(int(self.retry_after)) if whole else str(self.retry_after)


@dataclass
class Seen:
    """One request as the proxy saw it; ``body`` and ``status`` fill in as it goes."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes
    arrived: float  # time.monotonic() when its head arrived
    fault: Fault | None  # None: passed on to the target
    status: int | None  # sent to the client; None for a hang or a drop
    response_headers: dict[str, str] = field(default_factory=dict)  # as sent to the client

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class FaultProxy:
    """Start it, point the client at ``url``, read ``seen`` and ``max_in_flight`` afterwards."""

    def __init__(self, target: str, faults: Faults = Faults(), seed: int = 0) -> None:
        self.target = target.rstrip("/")
        self._faults = faults
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._seen: list[Seen] = []
        self._in_flight = InFlight()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: Exception | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._port: int | None = None
        self._handlers: set[asyncio.Task[Any]] = set()

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("the proxy has not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def seen(self) -> list[Seen]:
        """The requests so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._seen)

    @property
    def in_flight(self) -> int:
        return self._in_flight.now

    @property
    def max_in_flight(self) -> int:
        return self._in_flight.most

    def wait_idle(self, timeout: float = 2.0) -> bool:
        """Wait until no request is open; False if some still are after ``timeout`` seconds."""
        return self._in_flight.wait_idle(timeout)

    def set_faults(self, faults: Faults) -> None:
        """Faults for the requests that arrive from now on; the random sequence carries on."""
        with self._lock:
            self._faults = faults

    def clear(self) -> None:
        """Forget what was seen; ``max_in_flight`` starts again from the requests open now."""
        with self._lock:
            self._seen.clear()
        self._in_flight.restart_most()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the proxy was already started")
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            self._thread.join()
            raise RuntimeError("the proxy did not start") from self._failure

    def stop(self) -> None:
        """Close every connection, hung ones included, and end the thread."""
        if self._thread is None or not self._thread.is_alive():
            return
        assert self._loop is not None and self._stopping is not None
        self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join()

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except Exception as error:  # reported by start()
            self._failure = error
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        # Upstream connections idle for less than a server's keep-alive timeout (uvicorn: 5 s),
        # so a request is never sent on a connection the target is closing.
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None, keepalive_expiry=2.0)
        async with httpx.AsyncClient(timeout=None, limits=limits, trust_env=False) as http:
            server = await asyncio.start_server(
                lambda reader, writer: self._handle(ClientConnection(reader, writer), http),
                "127.0.0.1", 0, backlog=1024)
            self._port = server.sockets[0].getsockname()[1]
            self._ready.set()
            try:
                await self._stopping.wait()
            finally:
                server.close()
                while self._handlers:
                    for handler in self._handlers:
                        handler.cancel()
                    await asyncio.gather(*self._handlers, return_exceptions=True)
                await server.wait_closed()

    async def _handle(self, connection: ClientConnection, http: httpx.AsyncClient) -> None:
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        try:
            while await self._exchange(connection, http):
                pass
        except (OSError, h11.ProtocolError, httpx.HTTPError, asyncio.CancelledError):
            # A broken exchange, or the proxy stopping: the client sees its connection cut.
            # Cancellation stops here, as asyncio (3.11) logs a handler that ends cancelled as an error.
            connection.abort()
        finally:
            await connection.close()
            self._handlers.discard(handler)

    async def _exchange(self, connection: ClientConnection, http: httpx.AsyncClient) -> bool:
        """Serve one request; True when the connection stays open for another."""
        request = await connection.next_event()
        if not isinstance(request, h11.Request):
            return False
        connection.flight = self._in_flight.take_off()
        seen, faults = self._arrive(request)
        seen.body = await connection.read_body()
        if seen.fault == "drop":
            connection.abort()
            return False
        if seen.fault == "hang":
            await connection.until_client_leaves()
            return False
        answer = self._answer(connection, seen, faults, request, http)
        answered = await connection.unless_client_leaves(answer)
        return answered and connection.next_cycle()

    def _arrive(self, request: h11.Request) -> tuple[Seen, Faults]:
        """Record the request and draw its fault, under one lock so arrival order is draw order."""
        path, _, query = request.target.decode("latin-1").partition("?")
        headers = as_dict(request.headers)
        with self._lock:
            faults = self._faults
            fault = faults.pick(self._random.random()) if path.startswith(faults.only) else None
            seen = Seen(request.method.decode("ascii"), path, query, headers, b"", time.monotonic(),
                        fault, None)
            self._seen.append(seen)
        return seen, faults

    async def _answer(self, connection: ClientConnection, seen: Seen, faults: Faults,
                      request: h11.Request, http: httpx.AsyncClient) -> None:
        if seen.fault is None:
            await self._forward(connection, seen, list(request.headers.raw_items()), http)
            return
        status, name, message = REFUSALS[seen.fault]
        extra = [(b"retry-after", faults.retry_after_header.encode())] if status == 429 else []
        await self._refuse(connection, seen, status, name, message, extra)

    async def _refuse(self, connection: ClientConnection, seen: Seen, status: int, name: str, message: str,
                      extra: Headers) -> None:
        """Answer as ElevenLabs does when it fails: ``{"detail": {"status": ..., "message": ...}}``."""
        content = json.dumps({"detail": {"status": name, "message": message}}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode()),
                   *extra]
        seen.status, seen.response_headers = status, as_dict(headers)
        await connection.send(h11.Response(status_code=status, headers=headers), h11.Data(data=content),
                              h11.EndOfMessage())

    async def _forward(self, connection: ClientConnection, seen: Seen, headers: Headers,
                       http: httpx.AsyncClient) -> None:
        url = self.target + seen.path + (f"?{seen.query}" if seen.query else "")
        request = http.build_request(seen.method, url, headers=end_to_end(headers, RESET_FOR_TARGET),
                                     content=seen.body or None)
        try:
            response = await http.send(request, stream=True)
        except httpx.HTTPError:
            await self._refuse(connection, seen, *BAD_GATEWAY, [])
            return
        try:
            # Always chunked, whatever length the target gave: the answer is then complete at
            # its closing chunk, the moment it stops counting as in flight.
            headers = end_to_end(response.headers.raw, also=frozenset({b"content-length"}))
            seen.status, seen.response_headers = response.status_code, as_dict(headers)
            head = h11.Response(status_code=response.status_code, headers=headers,
                                reason=response.reason_phrase.encode("latin-1"))
            if seen.method == "HEAD" or response.status_code in (204, 304):  # complete with its head
                await response.aread()
                await connection.send(head, h11.EndOfMessage())
                return
            await connection.send(head)
            async for piece in response.aiter_raw():
                await connection.send(h11.Data(data=piece))
            await connection.send(h11.EndOfMessage())
        finally:
            await response.aclose()


def end_to_end(headers: Iterable[tuple[bytes, bytes]], also: frozenset[bytes] = frozenset()) -> Headers:
    """The headers meant for the far end: without hop-by-hop ones, nor those ``Connection`` names."""
    headers = list(headers)
    named = {token.strip().lower() for name, value in headers if name.lower() == b"connection"
             for token in value.split(b",")}
    dropped = HOP_BY_HOP | also | named
    return [(name, value) for name, value in headers if name.lower() not in dropped]


def as_dict(headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Lower-case names to values; a repeated header's values joined with ", "."""
    joined: dict[str, str] = {}
    for name, value in headers:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        joined[key] = f"{joined[key]}, {text}" if key in joined else text
    return joined
