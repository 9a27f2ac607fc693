"""ElevenLabs' ``stream-input`` WebSocket: text in as it is written, audio out as it is made.

Protocol (ElevenLabs'): the first message is ``{"text": " ", "voice_settings": …,
"generation_config": {"chunk_length_schedule": […]}}``, optionally with the key as
``xi-api-key`` (or ``xi_api_key``) or ``authorization``; then text messages, with
``try_trigger_generation`` or ``flush``; ``{"text": ""}`` ends the input. Each generation
answers ``{audio, isFinal: false, alignment, normalizedAlignment}``; the end is
``{"isFinal": true}`` and a close with code 1000.

Every other ending says why in ``{"message", "error"}``, then closes: 1008 for the caller's
doing (a message that is not a JSON object or whose fields have the wrong types, settings
or an ``inactivity_timeout`` out of range, a missing or bad key, silence past the timeout),
1011 for ours. What a message must be is ``voicer.elevenlabs.stream_input``'s to say.

A local voice's conversation is a ``voicer.elevenlabs.conversation``, its messages read and
its generations sent here; an ElevenLabs upstream voice's conversation is relayed to the
upstream's own ``stream-input`` (``voicer.api.stream_input_relay``). Either way the
conversation is one purchase (``voicer.elevenlabs.billing``) and one history item: a local
generation is charged when it is spoken, and kept paid for once its audio was sent; one the
conversation ends before it went out (the caller left, the engine failed) is given back,
and text never spoken is never charged.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from voicer.accounts import Caller, authenticate
from voicer.api.deps import seen_by
from voicer.api.services import Services
from voicer.api.stream_input_relay import INTERNAL_ERROR, POLICY_VIOLATION, Asked, close, relay
from voicer.elevenlabs import stream_input as protocol
from voicer.elevenlabs.conversation import Conversation
from voicer.elevenlabs.stream_input import Opening
from voicer.encoding.formats import parse_format
from voicer.errors import VoicerError
from voicer.pronunciation import dictionaries
from voicer.pronunciation.rules import AliasRule, PhonemeRule

log = logging.getLogger("voicer.api")

router = APIRouter(prefix="/v1/text-to-speech", tags=["ElevenLabs: text to speech"])


@router.websocket("/{voice_id}/stream-input")
async def stream_input(websocket: WebSocket, voice_id: str, model_id: str = "eleven_multilingual_v2",
                       output_format: str = "mp3_44100_128", language_code: str | None = None,
                       inactivity_timeout: str | None = None,
                       apply_text_normalization: str = "auto",
                       enable_ssml_parsing: bool = False) -> None:
    services: Services = websocket.app.state.services
    await websocket.accept()
    timeout = protocol.DEFAULT_INACTIVITY_TIMEOUT
    try:
        timeout = protocol.inactivity_timeout(inactivity_timeout)
        first = await _receive(websocket, timeout)
        caller = seen_by(await run_in_threadpool(_authenticate, services, websocket, first))
        voice = await run_in_threadpool(services.planner.voices.get, voice_id)
        opening = protocol.opening(first)
        asked = Asked(voice_id, model_id, output_format, language_code, timeout,
                      tuple(websocket.query_params.multi_items()),
                      protocol.normalization(apply_text_normalization), enable_ssml_parsing)
        if services.engines.relays(voice.engine):
            await relay(websocket, services, caller, opening, asked)
        else:
            await _speak_locally(websocket, services, caller, opening, asked)
    except WebSocketDisconnect:
        return
    except TimeoutError:  # the caller went quiet: say so, as the upstream does, and close
        await close(websocket, POLICY_VIOLATION, f"no text within the inactivity timeout of "
                                                 f"{timeout} s", "input_timeout_exceeded")
    except (VoicerError, ValueError) as error:
        await _refuse(websocket, error)
    except Exception:  # a fault of ours still ends with a close frame, never a dropped socket
        log.exception("stream-input for voice %s failed", voice_id)
        await close(websocket, INTERNAL_ERROR, "internal server error", "internal_error")


async def _receive(websocket: WebSocket, timeout: int) -> dict[str, Any]:
    """The caller's next message, checked; ``TimeoutError`` if none comes in time."""
    frame = await asyncio.wait_for(websocket.receive(), timeout=timeout)
    if frame["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(frame.get("code", 1000), frame.get("reason"))
    return protocol.message(frame)


async def _speak_locally(websocket: WebSocket, services: Services, caller: Caller,
                         opening: Opening, asked: Asked) -> None:
    """A local voice's conversation, one purchase: what was sent is kept as one history item."""
    lexicon = await run_in_threadpool(_lexicon, services, caller, opening)
    order = await run_in_threadpool(services.billing.order, asked.voice_id, asked.model_id,
                                    asked.language_code, opening.settings,
                                    parse_format(asked.output_format), asked.normalization,
                                    lexicon)
    conversation = Conversation(services.billing.open(caller, order), opening.schedule,
                                services.speech, services.planner.voices,
                                services.planner.detector, asked.ssml_parsing)
    async with conversation.purchase:  # settled before the caller hears the end, however it ends
        message = opening.message
        while True:
            due = conversation.receive(message)
            if due is not None:
                generation = await run_in_threadpool(conversation.generate, due)
                if generation.audio:
                    await websocket.send_json({
                        "audio": base64.b64encode(generation.audio).decode(), "isFinal": False,
                        "alignment": generation.alignment,
                        "normalizedAlignment": generation.normalized_alignment})
                conversation.sent(generation)
                if due.end:
                    break
            message = await _receive(websocket, asked.inactivity_timeout)
    await websocket.send_json({"isFinal": True})
    await websocket.close(code=1000)


def _lexicon(services: Services, caller: Caller,
             opening: Opening) -> tuple[AliasRule | PhonemeRule, ...]:
    with services.database.session() as session:
        return dictionaries.resolve(session, caller.user, opening.locators)


def _authenticate(services: Services, websocket: WebSocket, first: dict[str, Any]) -> Caller:
    token = protocol.key(first, websocket.headers, websocket.query_params)
    with services.database.session() as session:
        caller = authenticate(session, token)
    services.limiter.hit(caller.token_id, caller.user.plan)
    return caller


async def _refuse(websocket: WebSocket, error: Exception) -> None:
    message = error.message if isinstance(error, VoicerError) else str(error)
    await close(websocket, POLICY_VIOLATION, message, type(error).__name__)
