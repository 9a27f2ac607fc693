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
    RateLimited,
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
    (EngineError, 500),
]


def status_of(error: VoicerError) -> int:
    return next((code for kind, code in STATUS if isinstance(error, kind)), 500)


async def voicer_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, VoicerError)
    code = status_of(error)
    body: dict[str, object] = {"detail": error.message}
    if isinstance(error, InvalidInput):
        body["field"] = error.field
    headers = {}
    if isinstance(error, NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, RateLimited):
        headers = {"Retry-After": str(error.retry_after), "RateLimit-Limit": str(error.limit),
                   "RateLimit-Remaining": "0", "RateLimit-Reset": str(error.retry_after)}
    return JSONResponse(body, status_code=code, headers=headers)


async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse({"detail": "internal server error"}, status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(VoicerError, voicer_error)
    app.add_exception_handler(Exception, unexpected_error)
