"""Refuse request bodies over a size with 413, without reading them whole.

Audio uploads (the paths in ``UPLOADS``) have a cap of their own, ``VOICER_MAX_UPLOAD_BYTES``;
every other body has ``VOICER_MAX_REQUEST_BYTES``.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voicer.api.errors import is_elevenlabs_path, is_openai_path, openai_body

# Routes that take an audio file: the API's upload paths.
UPLOADS = ("/v1/speech-to-text", "/v1/forced-alignment", "/v1/stt", "/v1/audio-isolation",
           "/v1/audio-isolation/stream", "/v1/audio/transcriptions", "/v1/voices/add",
           "/v1/clone")
# and these, under a voice id: the voice changer
UPLOAD_PREFIXES = ("/v1/speech-to-speech/", "/v1/voice-changer/")


class BodyLimit:
    """ASGI middleware: check Content-Length up front, and count a streamed body as it comes."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes or max_bytes

    def limit(self, path: str) -> int:
        upload = path.rstrip("/") in UPLOADS or path.startswith(UPLOAD_PREFIXES)
        return self.upload_bytes if upload else self.max_bytes

    @staticmethod
    def message(limit: int) -> str:
        return f"request body too large: the limit is {limit:,} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._refuse(scope, send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:  # a chunked body with no Content-Length
                raise HTTPException(413, self.message(limit))
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        detail: object = self.message(limit)
        if is_elevenlabs_path(scope["path"]):
            detail = {"status": "payload_too_large", "message": self.message(limit)}
        shape: dict[str, object] = {"detail": detail}
        if is_openai_path(scope["path"]):
            shape = openai_body(self.message(limit), code="payload_too_large")
        body = json.dumps(shape).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
