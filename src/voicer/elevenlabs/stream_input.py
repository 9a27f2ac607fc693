"""The caller's side of ElevenLabs' ``stream-input`` WebSocket, checked before anything acts on it.

No WebSocket and no database here: each function takes what came and returns it checked, or
raises ``InvalidInput`` naming the field at fault (the WebSocket then closes with 1008 and
says why). Every message is a JSON object in a text frame; each documented field has its
documented type (``null`` counts as absent), and every string in it is valid Unicode. The
first message also sets the voice settings and the generation schedule, and may carry the key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from voicer.errors import InvalidInput
from voicer.pronunciation.dictionaries import Locator
from voicer.text.normalize import Normalization
from voicer.voice_settings import VoiceSettings

DEFAULT_INACTIVITY_TIMEOUT = 20  # seconds without a message before the conversation ends
MAX_INACTIVITY_TIMEOUT = 180  # ElevenLabs' documented maximum
DEFAULT_SCHEDULE = (120, 160, 250, 290)  # characters buffered before each generation
_SCHEDULE_RANGE = (1, 5000)
KEY_FIELDS = ("xi-api-key", "xi_api_key")  # as documented, and as older examples spell it
_TYPES: dict[str, type] = {
    "text": str, "flush": bool, "try_trigger_generation": bool, "voice_settings": dict,
    "generation_config": dict, "authorization": str, **dict.fromkeys(KEY_FIELDS, str),
    "pronunciation_dictionary_locators": list,
}
_JSON_NAMES: dict[type, str] = {dict: "a JSON object", list: "an array", str: "a string",
                                bool: "true or false", int: "a number", float: "a number"}
_SURROGATE = "holds a lone UTF-16 surrogate, which is not valid Unicode"


@dataclass(frozen=True, slots=True)
class Opening:
    """The first message, checked: how the voice is to sound, and when to speak."""

    message: dict[str, Any]  # as it came: the relay hands it on, less the caller's key
    settings: VoiceSettings
    schedule: tuple[int, ...]
    # beyond ElevenLabs: dictionaries applied to the whole conversation, as in text to speech
    locators: tuple[Locator, ...] = ()


def inactivity_timeout(given: str | None) -> int:
    """The ``inactivity_timeout`` query parameter, in seconds: a whole number from 1 to 180."""
    if given is None:
        return DEFAULT_INACTIVITY_TIMEOUT
    try:
        seconds = int(given)
    except ValueError:
        seconds = 0
    if not 1 <= seconds <= MAX_INACTIVITY_TIMEOUT:
        raise InvalidInput("inactivity_timeout", "inactivity_timeout must be a whole number of "
                           f"seconds from 1 to {MAX_INACTIVITY_TIMEOUT}, got {given[:20]!r}")
    return seconds


def normalization(given: str) -> Normalization:
    """The ``apply_text_normalization`` query parameter: auto, on or off."""
    try:
        return Normalization(given)
    except ValueError:
        raise InvalidInput("apply_text_normalization", "apply_text_normalization must be "
                           f"auto, on or off, got {given[:20]!r}") from None


def message(frame: Mapping[str, Any]) -> dict[str, Any]:
    """The message in an ASGI ``websocket.receive`` frame: a JSON object, its fields checked."""
    if frame.get("text") is None:
        raise InvalidInput("message", "each stream-input message is a JSON object in a text "
                           "frame, not a binary frame")
    try:
        parsed = json.loads(frame["text"])
    except RecursionError:
        raise InvalidInput("message", "the stream-input message is nested too deeply") from None
    except ValueError:
        raise InvalidInput("message", "each stream-input message is a JSON object; this one is "
                           "not JSON") from None
    if not isinstance(parsed, dict):
        raise InvalidInput("message", "each stream-input message is a JSON object, not "
                           f"{_json_name(parsed)}")
    for name, value in parsed.items():
        _check(name, value)
    return parsed


def opening(first: dict[str, Any]) -> Opening:
    """The first message (already a checked ``message``) with its settings and schedule."""
    return Opening(first, _settings(first.get("voice_settings")),
                   _schedule(first.get("generation_config")),
                   _locators(first.get("pronunciation_dictionary_locators")))


def key(first: Mapping[str, Any], headers: Mapping[str, str],
        query: Mapping[str, str]) -> str | None:
    """The caller's key: ``xi-api-key`` in the headers or the first message, else the token of
    an ``authorization`` in the first message, the query or the headers (``Bearer`` optional)."""
    for given in (headers.get("xi-api-key"), *(first.get(name) for name in KEY_FIELDS)):
        if given:
            return str(given)
    for given in (first.get("authorization"), query.get("authorization"),
                  headers.get("authorization")):
        if given:
            scheme, _, token = str(given).strip().partition(" ")
            return token.strip() if scheme.lower() == "bearer" else str(given).strip()
    return None


def _check(name: str, value: Any) -> None:
    if not _writable(name):
        raise InvalidInput("message", f"a field name {_SURROGATE}")
    expected = _TYPES.get(name)
    if value is not None and expected is not None and not isinstance(value, expected):
        raise InvalidInput(name, f"{name} must be {_JSON_NAMES[expected]}, not {_json_name(value)}")
    if not _writable(value):
        raise InvalidInput(name[:40], f"{name[:40]} {_SURROGATE}")


def _writable(value: Any) -> bool:
    """Whether ``value`` can be written out as UTF-8: json.loads lets a lone "\\ud800" through."""
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def _json_name(value: Any) -> str:
    return "null" if value is None else _JSON_NAMES.get(type(value), type(value).__name__)


def _settings(given: dict[str, Any] | None) -> VoiceSettings:
    """ElevenLabs' defaults, with what the caller set (fields it does not know are ignored)."""
    known = {name: value for name, value in (given or {}).items()
             if name in VoiceSettings.model_fields and value is not None}
    try:
        return VoiceSettings.model_validate(known)
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in ("voice_settings", *problem["loc"]))
        raise InvalidInput(field, f"{field}: {problem['msg']}") from None


def _locators(given: list[Any] | None) -> tuple[Locator, ...]:
    found = []
    for number, locator in enumerate(given or ()):
        field = f"pronunciation_dictionary_locators[{number}]"
        if not isinstance(locator, dict) or not isinstance(
                locator.get("pronunciation_dictionary_id"), str) or not isinstance(
                locator.get("version_id") or "", str):
            raise InvalidInput(field, f"{field} must be {{\"pronunciation_dictionary_id\": …, "
                                      "\"version_id\": … (optional)}")
        found.append(Locator(locator["pronunciation_dictionary_id"], locator.get("version_id")))
    return tuple(found)


def _schedule(config: dict[str, Any] | None) -> tuple[int, ...]:
    schedule = (config or {}).get("chunk_length_schedule")
    if not schedule:
        return DEFAULT_SCHEDULE
    low, high = _SCHEDULE_RANGE
    if not isinstance(schedule, list) or not all(
            type(size) is int and low <= size <= high for size in schedule):
        raise InvalidInput("generation_config.chunk_length_schedule",
                           "generation_config.chunk_length_schedule must be a list of integers "
                           f"from {low} to {high}")
    return tuple(schedule)
