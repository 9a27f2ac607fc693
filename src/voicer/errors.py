"""The one exception tree of Voicer.

Everything below the edges raises these; only the edges turn them into something else:
the CLI into a message and exit status 2, the HTTP API (``voicer.api.errors``, the one
place) into the status codes drawn here and the Voicer or ElevenLabs error shape.

    VoicerError                  refused or failed on purpose                  HTTP
    ├── InvalidInput             bad text or parameter, named by ``field``      400
    │   ├── EmptyText            nothing to speak                               400
    │   ├── UnknownVoice         no such voice                                  400
    │   ├── UnknownModel         no such model                                  400
    │   └── OutOfRange           a number outside its bounds                    400
    ├── NotAuthenticated         no token, or an unknown or revoked one         401
    ├── Forbidden                not allowed                                    403
    │   └── QuotaExceeded        not enough characters left                     403
    ├── NotFound                 no such thing for this caller                  404
    ├── Conflict                 not in a state that allows it                  409
    ├── IdempotencyMismatch      key reused with another body                   422
    ├── RateLimited              too many requests; ``retry_after`` seconds     429
    ├── TooManyStreams           too many event streams open for one token      429
    ├── StorageError             the configured storage cannot be used          500
    └── EngineError              the engine failed to speak a chunk             500
        ├── EngineNotConfigured  the engine of a voice is not set up here       500
        └── UpstreamError        the ElevenLabs upstream refused or failed      502
                                 (503 with ``retry_after``; the upstream's own
                                 400, 404 or 422 when it refused the request)
"""

from __future__ import annotations


class VoicerError(Exception):
    """Base class of every error Voicer raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(VoicerError):
    """The caller asked for something that cannot be done; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class EmptyText(InvalidInput):
    def __init__(self) -> None:
        super().__init__("text", "text is empty: give at least one character to speak")


class UnknownVoice(InvalidInput):
    def __init__(self, voice_id: str) -> None:
        super().__init__("voice_id", f"voice {voice_id!r} not found; list voices with `voicer voices`")
        self.voice_id = voice_id


class UnknownModel(InvalidInput):
    def __init__(self, model_id: str, known: list[str]) -> None:
        super().__init__("model_id", f"model {model_id!r} not found; known: {', '.join(known)}")
        self.model_id = model_id


class OutOfRange(InvalidInput):
    def __init__(self, field: str, value: object, low: object, high: object) -> None:
        super().__init__(field, f"{field} must be between {low} and {high}, got {value}")


class EngineError(VoicerError):
    """The speech engine could not synthesize a chunk."""


class EngineNotConfigured(EngineError):
    """A voice, or a task accepted with it, needs an engine this Voicer does not have."""

    def __init__(self, voice_id: str, engine: str) -> None:
        hint = " (set VOICER_ELEVENLABS_API_KEY)" if engine == "elevenlabs" else ""
        super().__init__(f"voice {voice_id!r} needs the {engine} engine, which is not "
                         f"configured{hint}")


class UpstreamError(EngineError):
    """The upstream ElevenLabs API answered with an error, or could not be reached in time.

    ``status`` is the upstream's HTTP status (None when no answer came); the message
    is the upstream's own, never the request (which carries the API key).
    """

    def __init__(self, message: str, status: int | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class NotAuthenticated(VoicerError):
    """No API token, or one that is unknown or revoked."""


class Forbidden(VoicerError):
    """The caller may not do this."""


class QuotaExceeded(Forbidden):
    """Not enough characters left in the caller's quota."""


class NotFound(VoicerError):
    """No such resource, or not the caller's: the two look the same."""


class Conflict(VoicerError):
    """The resource is not in a state that allows the request."""


class StorageError(VoicerError):
    """The configured storage is missing, unreachable or refuses Voicer's credentials."""


class IdempotencyMismatch(VoicerError):
    """An Idempotency-Key was reused with a different request body."""


class RateLimited(VoicerError):
    def __init__(self, message: str, retry_after: int, limit: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.limit = limit


class TooManyStreams(VoicerError):
    """A token has as many event streams open as it may; ``limit`` says how many."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"too many event streams open for this token: at most {limit} at once; "
                         "close one, or poll the status instead")
        self.limit = limit
