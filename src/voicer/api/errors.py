"""The one place where Voicer errors become HTTP responses."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from voicer.accounts import authenticate
from voicer.api.deps import bearer, xi_api_key
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
    StorageError,
    TooManyStreams,
    UnknownModel,
    UnknownVoice,
    UpstreamError,
    VoicerError,
)

log = logging.getLogger("voicer.api")

# The tree with its codes is drawn in voicer.errors; keep the two alike.
STATUS: list[tuple[type[VoicerError], int]] = [
    (InvalidInput, 400),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (IdempotencyMismatch, 422),
    (RateLimited, 429),
    (TooManyStreams, 429),
    (StorageError, 500),
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
    (TooManyStreams, "too_many_concurrent_requests"),
    (UpstreamError, "upstream_error"),
    (EngineError, "internal_error"),
]


# OpenAI's ``error.type`` and ``error.code`` of each error, on its audio routes.
OPENAI_NAMES: list[tuple[type[VoicerError], str, str | None]] = [
    (InvalidInput, "invalid_request_error", None),
    (NotAuthenticated, "invalid_request_error", "invalid_api_key"),
    (QuotaExceeded, "insufficient_quota", "insufficient_quota"),
    (Forbidden, "invalid_request_error", "forbidden"),
    (NotFound, "invalid_request_error", "not_found"),
    (RateLimited, "requests", "rate_limit_exceeded"),
    (TooManyStreams, "requests", "rate_limit_exceeded"),
    (VoicerError, "server_error", None),
]


def status_of(error: VoicerError) -> int:
    if isinstance(error, UpstreamError) and error.status in _CALLERS_FAULT:
        return error.status  # the request itself was refused upstream: say so as it did
    if isinstance(error, UpstreamError) and error.retry_after is not None:
        return 503  # the upstream is busy: come back later
    return next((code for kind, code in STATUS if isinstance(error, kind)), 500)


def is_elevenlabs(request: Request) -> bool:
    return is_elevenlabs_path(request.url.path)


def is_elevenlabs_path(path: str) -> bool:
    return path.startswith(("/v1/", "/v2/")) and not is_openai_path(path)


def is_openai_path(path: str) -> bool:
    """The OpenAI audio API's routes, which answer in OpenAI's error shape."""
    return path.startswith("/v1/audio/")


def openai_body(message: str, kind: str = "invalid_request_error", param: str | None = None,
                code: str | None = None) -> dict[str, object]:
    """OpenAI's error shape: ``{"error": {message, type, param, code}}``."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def body_of(request: Request, error: VoicerError) -> dict[str, object]:
    """The Voicer shape, ``{"detail": message}``, ElevenLabs', ``{"detail": {status, message}}``,
    or OpenAI's, ``{"error": {message, type, param, code}}``."""
    if is_openai_path(request.url.path):
        kind, code = next((kind, code) for named, kind, code in OPENAI_NAMES
                          if isinstance(error, named))
        param = error.field if isinstance(error, InvalidInput) else None
        return openai_body(error.message, kind, param, code)
    if is_elevenlabs(request):
        name = next((name for kind, name in ELEVENLABS_NAMES if isinstance(error, kind)), "error")
        return {"detail": {"status": name, "message": error.message}}
    if isinstance(error, IdempotencyMismatch):  # a 422 has one shape: the validation list
        return {"detail": [{"type": "idempotency_key_reused", "loc": ["header", "idempotency-key"],
                            "msg": error.message}]}
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


_HTTP_NAMES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}  # ElevenLabs-style


async def http_error(request: Request, error: Exception) -> JSONResponse:
    """Starlette's own refusals (no such route, wrong method, body too large) in the API's shape."""
    assert isinstance(error, StarletteHTTPException)
    if is_openai_path(request.url.path):
        return JSONResponse(openai_body(str(error.detail), code=_HTTP_NAMES.get(error.status_code)),
                            status_code=error.status_code, headers=error.headers)
    detail: object = error.detail
    if is_elevenlabs(request):
        detail = {"status": _HTTP_NAMES.get(error.status_code, "invalid_request"),
                  "message": error.detail}
    return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)


async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    if is_openai_path(request.url.path):
        return JSONResponse(openai_body("internal server error", "server_error"), status_code=500)
    detail: object = "internal server error"
    if is_elevenlabs(request):
        detail = {"status": "internal_error", "message": "internal server error"}
    return JSONResponse({"detail": detail}, status_code=500)


# Routes anyone may call; every other route answers 401 before it looks at the request.
PUBLIC_PATHS = frozenset({"/", "/health", "/metrics"})
_PREVIEW = 80  # characters of a refused value shown back to the caller
_SHOWN_ITEMS = 5
MAX_PROBLEMS = 20  # a request's validation errors shown, at most: a bad body is refused by its first


async def invalid_request(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422, after the token is checked, with short previews of what was refused.

    The stock handler echoes each refused value whole: a 2 MB text came back whole, and a NaN
    could not be written as JSON at all, so the answer became a 500.
    """
    assert isinstance(error, RequestValidationError)
    if request.url.path not in PUBLIC_PATHS:
        # the token where the routes' own dependencies look for it
        credentials, key = await bearer(request), await xi_api_key(request)
        try:
            await run_in_threadpool(_authenticate, request,
                                    credentials.credentials if credentials else key)
        except NotAuthenticated as refusal:
            return await voicer_error(request, refusal)
    if is_openai_path(request.url.path):  # OpenAI refuses a malformed request with a 400
        return JSONResponse(_openai_invalid(error.errors()), status_code=400)
    return JSONResponse({"detail": [_shown(item) for item in error.errors()[:MAX_PROBLEMS]]},
                        status_code=422)


def _openai_invalid(problems: Sequence[Any]) -> dict[str, object]:
    """The first problem of a refused request, in OpenAI's shape, naming its field."""
    first = _shown(problems[0])
    where = [part for part in first["loc"] if part not in ("body", "query")]
    param = ".".join(str(part) for part in where) or None
    return openai_body(f"{param or 'request'}: {first['msg']}", param=param)


def _authenticate(request: Request, token: str | None) -> None:
    with request.app.state.services.database.session() as session:
        authenticate(session, token)


def _shown(item: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {key: item[key] for key in ("type", "loc", "msg") if key in item}
    shown["loc"] = [_preview(part) for part in item.get("loc", ())]
    if "input" in item:
        shown["input"] = _preview(item["input"])
    if isinstance(item.get("ctx"), dict):
        shown["ctx"] = {key: _preview(value) for key, value in item["ctx"].items()}
    return shown


def _preview(value: object, depth: int = 0) -> object:
    """``value`` cut short and made writable as JSON: for showing what was refused."""
    if isinstance(value, bool | int) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        text = value.encode("utf-8", "backslashreplace").decode("utf-8")
        return text if len(text) <= _PREVIEW else f"{text[:_PREVIEW]}… ({len(value):,} characters)"
    if depth < 2 and isinstance(value, dict):
        return {str(_preview(k)): _preview(v, depth + 1) for k, v in list(value.items())[:_SHOWN_ITEMS]}
    if depth < 2 and isinstance(value, Sequence | set) and not isinstance(value, bytes):
        return [_preview(v, depth + 1) for v in list(value)[:_SHOWN_ITEMS]]
    return _preview(repr(value), depth)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(VoicerError, voicer_error)
    app.add_exception_handler(Exception, unexpected_error)
