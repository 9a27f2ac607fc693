"""What the OpenAPI document says each operation can answer besides its success.

The bodies are the two error shapes ``api.errors`` writes: Voicer's ``{"detail": message,
"field"?}`` and ElevenLabs' ``{"detail": {"status", "message"}}``; a 422 is always FastAPI's
list of validation errors, whichever API.
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


def task_links() -> dict[str, dict[str, Any]]:
    """OpenAPI links from a created task to what can be done with it, by its ``task_id``."""
    operations = {"GetStatus": ("/api/v1/voice/status/{task_id}", "get"),
                  "WatchEvents": ("/api/v1/voice/status/{task_id}/events", "get"),
                  "Download": ("/api/v1/voice/download/{task_id}", "get"),
                  "Cancel": ("/api/v1/voice/tasks/{task_id}", "delete")}
    return {name: {"operationRef": f"#/paths/{path.replace('/', '~1')}/{method}",
                   "parameters": {"task_id": "$response.body#/task_id"}}
            for name, (path, method) in operations.items()}
