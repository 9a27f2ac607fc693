"""ElevenLabs' ``stream-input`` WebSocket: text in as it is written, audio out as it is made.

Protocol (ElevenLabs'): the first message is ``{"text": " ", "voice_settings": …,
"generation_config": {"chunk_length_schedule": […]}}``, optionally with ``xi_api_key``;
then text messages, with ``try_trigger_generation`` or ``flush``; ``{"text": ""}`` ends
the input. Each generation answers ``{audio, isFinal: false, alignment,
normalizedAlignment}``; the end is ``{"isFinal": true}`` and a close with code 1000.

Local voices are spoken here; an ElevenLabs upstream voice's conversation is relayed to
the upstream's own ``stream-input`` (``voicer.api.stream_input_relay``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from voicer.accounts import Caller, authenticate
from voicer.alignment import Alignment
from voicer.api.schemas_elevenlabs import VoiceSettingsIn
from voicer.api.services import Services
from voicer.api.stream_input_relay import Asked, relay
from voicer.elevenlabs import tts
from voicer.encoding.formats import StreamEncoder, parse_format, stream_encoder
from voicer.errors import VoicerError
from voicer.models import UPSTREAM_ENGINE
from voicer.speech import AudioPiece, speak_into

router = APIRouter(prefix="/v1/text-to-speech", tags=["ElevenLabs: text to speech"])

DEFAULT_SCHEDULE = [120, 160, 250, 290]
POLICY_VIOLATION = 1008


@dataclass
class _Stream:
    """One connection's state: the text not yet spoken, the open encoder, the schedule."""

    caller: Caller
    voice_id: str
    model_id: str
    output_format: str
    language_code: str | None
    settings: VoiceSettingsIn = field(default_factory=VoiceSettingsIn)
    schedule: list[int] = field(default_factory=lambda: list(DEFAULT_SCHEDULE))
    buffer: str = ""
    generations: int = 0
    encoder: StreamEncoder | None = None

    def threshold(self) -> int:
        return self.schedule[min(self.generations, len(self.schedule) - 1)]


@router.websocket("/{voice_id}/stream-input")
async def stream_input(websocket: WebSocket, voice_id: str, model_id: str = "eleven_multilingual_v2",
                       output_format: str = "mp3_44100_128", language_code: str | None = None,
                       inactivity_timeout: int = 20) -> None:
    services: Services = websocket.app.state.services
    await websocket.accept()
    try:
        first = await asyncio.wait_for(websocket.receive_json(), timeout=inactivity_timeout)
        caller = await run_in_threadpool(_authenticate, services, websocket, first)
        voice = await run_in_threadpool(services.planner.voices.get, voice_id)
        if voice.engine == UPSTREAM_ENGINE:
            asked = Asked(voice_id, model_id, output_format, language_code, inactivity_timeout,
                          tuple(websocket.query_params.multi_items()))
            await relay(websocket, services, caller, first, asked)
            return
        state = _Stream(caller, voice_id, model_id, output_format, language_code)
        _configure(state, first)
        state.encoder = stream_encoder(parse_format(output_format))
        await _converse(websocket, services, state, first, inactivity_timeout)
    except WebSocketDisconnect:
        return
    except TimeoutError:  # the caller went quiet: say so, as the upstream does, and close
        with contextlib.suppress(WebSocketDisconnect, OSError):
            await _close(websocket, f"no text within the inactivity timeout of "
                                    f"{inactivity_timeout} s", "input_timeout_exceeded")
    except (VoicerError, ValidationError, ValueError) as error:
        await _refuse(websocket, error)


async def _converse(websocket: WebSocket, services: Services, state: _Stream,
                    first: dict[str, Any], timeout: int) -> None:
    message = first
    while True:
        text = message.get("text")
        if text == "":
            await _generate(websocket, services, state, whole=True, end=True)
            await websocket.send_json({"isFinal": True})
            await websocket.close(code=1000)
            return
        state.buffer += text or ""
        if message.get("flush") or (message.get("try_trigger_generation", True)
                                    and len(state.buffer.strip()) >= state.threshold()):
            await _generate(websocket, services, state, whole=bool(message.get("flush")), end=False)
        message = await asyncio.wait_for(websocket.receive_json(), timeout=timeout)


async def _generate(websocket: WebSocket, services: Services, state: _Stream, whole: bool,
                    end: bool) -> None:
    """Speak the buffer up to its last word boundary (all of it when ``whole``); at the
    ``end``, close the encoder too."""
    complete = whole or state.buffer[-1:].isspace()  # a trailing space ends the last word
    cut = len(state.buffer) if complete else state.buffer.rfind(" ") + 1
    text, state.buffer = state.buffer[:cut], state.buffer[cut:]
    audio, timings = await run_in_threadpool(_speak, services, state, text, end)
    if audio:
        await websocket.send_json({"audio": base64.b64encode(audio).decode(), "isFinal": False,
                                   "alignment": timings, "normalizedAlignment": timings})
    state.generations += 1


def _speak(services: Services, state: _Stream, text: str,
           end: bool) -> tuple[bytes, dict[str, Any] | None]:
    assert state.encoder is not None
    pieces: list[AudioPiece] = []
    if text.strip():
        with services.database.session() as session:
            charged = tts.prepare(session, state.caller, services.planner.voices, services.storage,
                                  state.voice_id, text, state.model_id, state.language_code,
                                  state.settings.resolve(), parse_format(state.output_format))
        try:
            with services.speech.lease() as pool:
                pieces = list(speak_into(state.encoder, charged.speech, pool,
                                         services.planner.voices, services.planner.detector))
        except BaseException:
            with services.database.session() as session:
                tts.refund(session, charged)
            raise
    audio = b"".join(piece.audio for piece in pieces)
    if end:
        audio += state.encoder.finish()
    timing = Alignment.join([piece.alignment for piece in pieces if piece.alignment])
    return audio, timing.to_websocket_json() if timing.characters else None


def _authenticate(services: Services, websocket: WebSocket, first: dict[str, Any]) -> Caller:
    token = websocket.headers.get("xi-api-key") or first.get("xi_api_key")
    bearer = first.get("authorization") or websocket.headers.get("authorization") or ""
    if not token and bearer.lower().startswith("bearer "):
        token = bearer[7:]
    with services.database.session() as session:
        caller = authenticate(session, token)
    services.limiter.hit(caller.token_id, caller.user.plan)
    return caller


def _configure(state: _Stream, first: dict[str, Any]) -> None:
    if first.get("voice_settings"):
        state.settings = VoiceSettingsIn.model_validate(first["voice_settings"])
    schedule = (first.get("generation_config") or {}).get("chunk_length_schedule")
    if schedule:
        if not all(isinstance(n, int) and 1 <= n <= 5000 for n in schedule):
            raise ValueError("generation_config.chunk_length_schedule: integers from 1 to 5000")
        state.schedule = list(schedule)


async def _refuse(websocket: WebSocket, error: Exception) -> None:
    message = error.message if isinstance(error, VoicerError) else str(error)
    await _close(websocket, message, type(error).__name__)


async def _close(websocket: WebSocket, message: str, error: str) -> None:
    """Say why, as ElevenLabs does, then close as a policy violation."""
    await websocket.send_text(json.dumps({"message": message, "error": error}))
    await websocket.close(code=POLICY_VIOLATION, reason=message[:120])
