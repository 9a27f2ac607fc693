"""The one place where Voicer errors become HTTP responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from voicer.errors import (
    Conflict,
    EngineError,
    Forbidden,
    IdempotencyMismatch,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    QuotaExceeded,
    RateLimited,
    UnknownModel,
    UnknownVoice,
    UpstreamError,
    VoicerError,
)

log = logging.getLogger("voicer.api")

STATUS: list[tuple[type[VoicerError], int]] = [
    (InvalidInput, 400),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (IdempotencyMismatch, 422),
    (RateLimited, 429),
    (UpstreamError, 502),
    (EngineError, 500),
]


# Upstream statuses that describe the caller's request, not the upstream or its key.
_CALLERS_FAULT = frozenset({400, 404, 422})

# ElevenLabs names its errors in ``detail.status``.
ELEVENLABS_NAMES: list[tuple[type[VoicerError], str]] = [
    (UnknownVoice, "voice_not_found"),
    (UnknownModel, "model_not_found"),
    (InvalidInput, "invalid_request"),
    (NotAuthenticated, "invalid_api_key"),
    (QuotaExceeded, "quota_exceeded"),
    (Forbidden, "forbidden"),
    (NotFound, "not_found"),
    (Conflict, "conflict"),
    (IdempotencyMismatch, "invalid_request"),
    (RateLimited, "rate_limit_exceeded"),
    (UpstreamError, "upstream_error"),
    (EngineError, "internal_error"),
]


def status_of(error: VoicerError) -> int:
    if isinstance(error, UpstreamError) and error.status in _CALLERS_FAULT:
        return error.status  # the request itself was refused upstream: say so as it did
    if isinstance(error, UpstreamError) and error.retry_after is not None:
        return 503  # the upstream is busy: come back later
    return next((code for kind, code in STATUS if isinstance(error, kind)), 500)


def is_elevenlabs(request: Request) -> bool:
    return request.url.path.startswith(("/v1/", "/v2/"))


def body_of(request: Request, error: VoicerError) -> dict[str, object]:
    """The Voicer shape, ``{"detail": message}``, or ElevenLabs', ``{"detail": {status, message}}``."""
    if is_elevenlabs(request):
        name = next((name for kind, name in ELEVENLABS_NAMES if isinstance(error, kind)), "error")
        return {"detail": {"status": name, "message": error.message}}
    body: dict[str, object] = {"detail": error.message}
    if isinstance(error, InvalidInput):
        body["field"] = error.field
    return body


async def voicer_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, VoicerError)
    code = status_of(error)
    body = body_of(request, error)
    headers = {}
    if isinstance(error, NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, RateLimited):
        headers = {"Retry-After": str(error.retry_after), "RateLimit-Limit": str(error.limit),
                   "RateLimit-Remaining": "0", "RateLimit-Reset": str(error.retry_after)}
    if isinstance(error, UpstreamError) and error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse(body, status_code=code, headers=headers)


async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    detail: object = "internal server error"
    if is_elevenlabs(request):
        detail = {"status": "internal_error", "message": "internal server error"}
    return JSONResponse({"detail": detail}, status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(VoicerError, voicer_error)
    app.add_exception_handler(Exception, unexpected_error)
