"""The RateLimit headers on every answer to an authenticated request, errors included.

Authentication leaves the request's allowance in the request state; this middleware writes
it into whatever answer goes out, a route's or an error handler's (a header a response sets
itself, as a 429 does, is left as it is).
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voicer.ratelimit import Allowance

_KEY = "rate_limit_allowance"


def remember(request: Request, allowance: Allowance) -> None:
    """Keep ``allowance`` for the headers of the answer to ``request``."""
    setattr(request.state, _KEY, allowance)


class RateLimitHeaders:
    """ASGI middleware: add the remembered allowance's headers to the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # the dict that request.state writes into

        async def send_with_headers(message: Message) -> None:
            allowance = state.get(_KEY)
            if message["type"] == "http.response.start" and isinstance(allowance, Allowance):
                headers = MutableHeaders(scope=message)
                for name, value in allowance.headers().items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
