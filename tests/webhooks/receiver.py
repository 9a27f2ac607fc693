"""A webhook receiver on a port of its own: it keeps what it is sent, and can be down."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.api.conftest import Api


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    def signed_with(self, secret: str) -> bool:
        """The signature checked as the README tells a receiver to check it."""
        timestamp = self.headers["voicer-timestamp"]
        expected = hmac.new(secret.encode(), timestamp.encode() + b"." + self.body,
                            hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers["voicer-signature"], f"v1={expected}")


class Receiver:
    """Started with ``up()`` on ``port``; ``down()`` closes it, so connections are refused."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[Received] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/voicer"

    def up(self) -> None:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


# Webhook settings for tests: the loopback receiver allowed, retries within a second.
FAST = {"webhook_allowed_hosts": ("127.0.0.1",), "webhook_backoff_seconds": 0.2,
        "webhook_backoff_cap_seconds": 0.5, "webhook_poll_seconds": 0.05}


def secret(api: Api, headers: dict[str, str]) -> str:
    """The user's webhook signing secret."""
    found: str = api.client.get("/api/v1/user/webhook", headers=headers).json()["secret"]
    return found


def xi_user(api: Api) -> dict[str, str]:
    """A new user's token as a Bearer and as ElevenLabs clients send it."""
    headers = api.user()
    return {**headers, "xi-api-key": headers["Authorization"].removeprefix("Bearer ")}
