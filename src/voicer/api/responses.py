"""What the OpenAPI document says each operation can answer besides its success.

The bodies are the three error shapes ``api.errors`` writes: Voicer's ``{"detail": message,
"field"?}``, ElevenLabs' ``{"detail": {"status", "message"}}`` and OpenAI's ``{"error":
{message, type, param, code}}``; a 422 is FastAPI's list of validation errors (the OpenAI
routes answer a 400 in their own shape instead).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class VoicerErrorBody(BaseModel):
    detail: str = Field(description="what went wrong, in words")
    field: str | None = Field(None, description="the request field at fault, for a 400")


class ElevenLabsErrorDetail(BaseModel):
    status: str = Field(description="ElevenLabs' name of the error, e.g. invalid_api_key")
    message: str


class ElevenLabsErrorBody(BaseModel):
    detail: ElevenLabsErrorDetail


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str = Field(description="invalid_request_error, insufficient_quota, requests, "
                                  "server_error")
    param: str | None = Field(None, description="the request field at fault")
    code: str | None = Field(None, description="e.g. invalid_api_key, rate_limit_exceeded")


class OpenAIErrorBody(BaseModel):
    error: OpenAIErrorDetail


class ValidationErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class ValidationErrorBody(BaseModel):
    detail: list[ValidationErrorItem]


_MEANING = {
    400: "A parameter is wrong: unknown voice or model, a value over a limit",
    401: "Missing, invalid or revoked token",
    403: "Character quota exhausted; nothing was charged",
    404: "No such resource for this token",
    409: "Not ready: the task has not completed",
    413: "Request body over VOICER_MAX_REQUEST_BYTES",
    422: "Validation error: the fields at fault and why (values shown cut short)",
    429: "Rate limit or concurrent-stream limit reached; see Retry-After",
    500: "Internal error",
    502: "The ElevenLabs upstream refused or failed",
    503: "The ElevenLabs upstream is busy; see Retry-After",
}

# What any route behind a token can answer.
AUTHENTICATED = (401, 413, 422, 429, 500)


def _responses(shape: type[BaseModel], codes: tuple[int, ...]) -> dict[int | str, dict[str, Any]]:
    return {code: {"description": _MEANING[code],
                   "model": ValidationErrorBody if code == 422 else shape}
            for code in codes}


def voicer_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers of a Voicer API operation, in the Voicer shape."""
    return _responses(VoicerErrorBody, codes)


def elevenlabs_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers of an ElevenLabs API operation, in the ElevenLabs shape."""
    return _responses(ElevenLabsErrorBody, codes)


def openai_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers of an OpenAI API operation, in OpenAI's shape (a 400, never a 422,
    for a malformed request)."""
    return {code: {"description": _MEANING[code], "model": OpenAIErrorBody}
            for code in codes if code != 422}


def task_links() -> dict[str, dict[str, Any]]:
    """OpenAPI links from a created task to what can be done with it, by its ``task_id``."""
    operations = {"GetStatus": ("/api/v1/voice/status/{task_id}", "get"),
                  "WatchEvents": ("/api/v1/voice/status/{task_id}/events", "get"),
                  "Download": ("/api/v1/voice/download/{task_id}", "get"),
                  "Cancel": ("/api/v1/voice/tasks/{task_id}", "delete")}
    return {name: {"operationRef": f"#/paths/{path.replace('/', '~1')}/{method}",
                   "parameters": {"task_id": "$response.body#/task_id"}}
            for name, (path, method) in operations.items()}
