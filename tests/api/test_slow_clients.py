"""Slow clients cannot hold the server's connections: a request's headers have a deadline
(``VOICER_HEADER_TIMEOUT``), and everyone else is answered meanwhile."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Server
from tests.waiting import wait_until

PARTIAL = 200  # sockets that send part of a request's headers, and never the rest
SILENT = 100  # sockets that send nothing at all
CLOSED_WITHIN = 30.0  # seconds, with a 1-second header timeout


@dataclass
class SlowClient:
    """One connection that never finishes its request; what the server sent it."""

    connection: socket.socket
    received: bytes = b""
    closed: bool = False
    sent: bytes = b""

    @classmethod
    def open(cls, port: int, send: bytes) -> SlowClient:
        connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        connection.sendall(send)
        connection.setblocking(False)
        return cls(connection, sent=send)

    def look(self) -> bool:
        """Read what has come; whether the server has closed the connection."""
        while not self.closed:
            try:
                data = self.connection.recv(4096)
            except BlockingIOError:
                break
            except ConnectionResetError:
                data = b""
            self.received += data
            self.closed = not data
        return self.closed


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path, env={"VOICER_HEADER_TIMEOUT": "1"})
    running.start()
    yield running
    running.stop()


@pytest.fixture
def slow_clients(server: Server) -> Iterator[list[SlowClient]]:
    partial = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slo"
    clients = [SlowClient.open(server.port, partial) for _ in range(PARTIAL)]
    clients += [SlowClient.open(server.port, b"") for _ in range(SILENT)]
    yield clients
    for client in clients:
        client.connection.close()


def test_connections_that_never_finish_their_headers_are_closed(
        server: Server, slow_clients: list[SlowClient]) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for _ in range(10):
            assert client.get("/health").status_code == 200

    wait_until(lambda: all(slow.look() for slow in slow_clients), timeout=CLOSED_WITHIN,
               what=f"{PARTIAL + SILENT} slow connections closed by the server")
    for slow in slow_clients:
        if slow.sent:  # part of a request: told why
            assert slow.received.startswith(b"HTTP/1.1 408 "), slow.received[:100]
            assert b"connection: close" in slow.received.lower()
        else:  # nothing: nothing to answer
            assert slow.received == b""


def test_a_kept_alive_connection_has_the_same_deadline_for_its_next_request(
        server: Server) -> None:
    slow = SlowClient.open(server.port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    try:
        wait_until(lambda: slow.look() or slow.received.endswith(b"}"), timeout=10,
                   what="the first response")
        assert slow.received.startswith(b"HTTP/1.1 200 ") and not slow.closed
        slow.connection.sendall(b"GET /health HTTP/1.1\r\nHo")
        wait_until(slow.look, timeout=CLOSED_WITHIN, what="the connection closed")
        assert slow.received.count(b"HTTP/1.1 ") == 2
        assert b"}HTTP/1.1 408 " in slow.received
    finally:
        slow.connection.close()


def test_an_idle_kept_alive_connection_is_closed(server: Server) -> None:
    slow = SlowClient.open(server.port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    try:
        wait_until(slow.look, timeout=CLOSED_WITHIN, what="the idle connection closed")
        assert slow.received.startswith(b"HTTP/1.1 200 ")
        assert slow.received.count(b"HTTP/1.1") == 1
    finally:
        slow.connection.close()
