"""``stream-input`` for an upstream voice: the caller's WebSocket relayed to ElevenLabs' own.

The conversation is the upstream's: every message of the caller goes on as it came (less
``xi-api-key``, ``xi_api_key`` and ``authorization``: the upstream gets Voicer's key in the
``xi-api-key`` header, never the caller's token; the ``authorization`` query parameter is
left out too), and every message of the upstream comes back as it came (audio, alignment,
``isFinal``, its own errors), until one side closes. The upstream's close code and reason
reach the caller unchanged; a close the upstream could not send (the connection broke)
reaches it as 1011.

Endings of ours, each sent as ``{"message", "error"}`` before the close:

    1008  the caller's message is not a JSON object of the documented types, its settings
          are out of range, or it is over the quota (``error`` names the refusal, checked as
          for local voices, before anything goes on); the caller was
          silent past ``inactivity_timeout`` (``input_timeout_exceeded``); the upstream
          refused the WebSocket with a 4xx other than 429, e.g. a bad key (``upstream_error``)
    1011  the upstream could not be reached, answered 5xx, or broke off (``upstream_error``)
    1013  no slot of the upstream's concurrency cap came free within the caller's
          ``inactivity_timeout`` (``upstream_busy``), or the upstream answered 429

A conversation holds one slot of the upstream's cap from before it connects until it
ends, so tasks, requests and WebSockets together never exceed the cap.

Charging: the conversation is one purchase (``voicer.elevenlabs.billing``). A message's
characters are charged before it goes on (whitespace alone waits for the text after it, so
trailing whitespace costs nothing); it is delivered once the upstream answers with audio
after it, or finishes. What was not delivered when the conversation ends is given back (a
message that never reached the upstream always is); what was is kept as one history item:
its text, and all the audio the caller heard.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from voicer.accounts import Caller
from voicer.api.services import Services
from voicer.elevenlabs import stream_input as protocol
from voicer.elevenlabs.billing import Part, Purchase
from voicer.elevenlabs.stream_input import Opening
from voicer.encoding.formats import parse_format
from voicer.errors import EngineError, RateLimited, UpstreamError, VoicerError
from voicer.settings import Settings
from voicer.text.normalize import Normalization
from voicer.upstream.engine import Upstream
from voicer.upstream.tags import TagFilter

log = logging.getLogger("voicer.upstream")

SECRET_FIELDS = frozenset({*protocol.KEY_FIELDS, "authorization"})  # never passed on
NORMAL, POLICY_VIOLATION, INTERNAL_ERROR, TRY_AGAIN_LATER = 1000, 1008, 1011, 1013
_UNSENDABLE = {1005: NORMAL, 1006: INTERNAL_ERROR, 1015: INTERNAL_ERROR}  # codes no close frame carries
_GRACE = 1.0  # seconds our idle timeout waits past the upstream's, whose own message comes first
_REASON_BYTES = 123  # the most a close frame carries


@dataclass(frozen=True, slots=True)
class Asked:
    """What the caller's WebSocket URL asks for."""

    voice_id: str
    model_id: str
    output_format: str
    language_code: str | None
    inactivity_timeout: int
    query: tuple[tuple[str, str], ...]  # every query parameter, as sent
    normalization: Normalization = Normalization.auto  # apply_text_normalization, checked
    ssml_parsing: bool = False  # enable_ssml_parsing


@dataclass(frozen=True, slots=True)
class _Ending:
    """How the caller's WebSocket closes: ``{"message", "error"}`` first, unless ``error`` is
    None (a close the upstream made); ``failed``: the upstream's fault."""

    code: int
    message: str
    error: str | None = None
    failed: bool = False


class _End(Enum):
    CLIENT_LEFT = "the caller closed its WebSocket"
    CLIENT_IDLE = "the caller sent nothing within the inactivity timeout"
    UPSTREAM_GONE = "the upstream closed while a message was on its way"


@dataclass(frozen=True, slots=True)
class _Closed:
    code: int | None
    reason: str


async def relay(websocket: WebSocket, services: Services, caller: Caller, opening: Opening,
                asked: Asked) -> None:
    """Hold the conversation of an upstream voice, whose first message was ``opening``."""
    ending = None
    try:
        order = await asyncio.to_thread(
            services.billing.order, asked.voice_id, asked.model_id, asked.language_code,
            opening.settings, parse_format(asked.output_format))
        async with services.billing.open(caller, order) as purchase:
            ending = await _hold(websocket, services, _Bill(purchase), opening, asked)
    except RateLimited as busy:
        ending = _Ending(TRY_AGAIN_LATER, busy.message, "upstream_busy")
    except EngineError as failure:
        status = failure.status if isinstance(failure, UpstreamError) else None
        ending = _Ending(_failure_code(status), failure.message, "upstream_error", failed=True)
    except VoicerError as refusal:  # the caller's: over quota, an unknown model…
        ending = _Ending(POLICY_VIOLATION, refusal.message, type(refusal).__name__)
    if ending is not None:
        if ending.failed:
            services.metrics.upstream_errors.inc()
            log.warning("stream-input for voice %s: %s (%d)", asked.voice_id, ending.message,
                        ending.code)
        await close(websocket, ending.code, ending.message, ending.error)


async def _hold(websocket: WebSocket, services: Services, bill: _Bill, opening: Opening,
                asked: Asked) -> _Ending | None:
    """Connect, and pump both ways until a side ends; how the caller's WebSocket is to close."""
    first = _outgoing(opening.message)
    charged = await bill.charge(first)
    async with _slot(services.upstream, asked.inactivity_timeout), _connect(
            services.settings, asked) as connection:
        assert services.upstream is not None  # _slot saw to it
        tags = None if await asyncio.to_thread(services.upstream.performs_tags,
                                               asked.model_id) else TagFilter()
        with contextlib.suppress(ConnectionClosed):  # the upstream's close comes next
            await _send(connection, first, tags)
            bill.sent(charged)
        finished, ending = await _converse(websocket, connection, bill, asked, tags)
    if finished:
        bill.finish()
    return ending


async def _converse(websocket: WebSocket, connection: ClientConnection, bill: _Bill,
                    asked: Asked, tags: TagFilter | None) -> tuple[bool, _Ending | None]:
    """Pump both ways until a side ends: whether the upstream finished the speech, and how
    the caller's WebSocket is to close (None: the caller left)."""
    outgoing = asyncio.create_task(_to_upstream(websocket, connection, bill,
                                                asked.inactivity_timeout + _GRACE, tags))
    incoming = asyncio.create_task(_to_client(websocket, connection, bill))
    try:
        done, _ = await asyncio.wait({outgoing, incoming}, return_when=asyncio.FIRST_COMPLETED)
        if outgoing in done and (end := outgoing.result()) is not _End.UPSTREAM_GONE:
            await connection.close()
            if end is _End.CLIENT_IDLE:
                return bill.finished, _Ending(
                    POLICY_VIOLATION,
                    f"no text within the inactivity timeout of {asked.inactivity_timeout} s",
                    "input_timeout_exceeded")
            return bill.finished, None
        closed = await incoming
    finally:
        for task in (outgoing, incoming):
            task.cancel()
        await asyncio.gather(outgoing, incoming, return_exceptions=True)
    if closed is None:
        return bill.finished, None
    return bill.finished or closed.code == NORMAL, _as_closed(closed)


async def _to_upstream(websocket: WebSocket, connection: ClientConnection, bill: _Bill,
                       timeout: float, tags: TagFilter | None) -> _End:
    wait: float | None = timeout
    while True:
        try:
            async with asyncio.timeout(wait):
                received = await _receive(websocket)
        except TimeoutError:
            return _End.CLIENT_IDLE
        if received is None:
            return _End.CLIENT_LEFT
        message = _outgoing(received)
        charged = await bill.charge(message)
        try:
            await _send(connection, message, tags)
        except ConnectionClosed:
            return _End.UPSTREAM_GONE
        bill.sent(charged)
        if message.get("text") == "":
            wait = None  # the input is over; the upstream finishes and closes


async def _to_client(websocket: WebSocket, connection: ClientConnection, bill: _Bill) -> _Closed | None:
    """The upstream's messages as they come; its close, or None if the caller went first."""
    try:
        async for message in connection:
            bill.heard(message)
            if isinstance(message, str):
                await websocket.send_text(message)
            else:
                await websocket.send_bytes(message)
    except ConnectionClosed:
        pass
    except (WebSocketDisconnect, OSError):
        return None
    return _Closed(connection.close_code, connection.close_reason or "")


def _as_closed(closed: _Closed) -> _Ending:
    """The caller's WebSocket closed as the upstream closed ours."""
    code = closed.code if closed.code is not None else 1006
    if code == 1006:
        return _Ending(INTERNAL_ERROR, "the connection to the ElevenLabs upstream broke",
                       "upstream_error", failed=True)
    return _Ending(_UNSENDABLE.get(code, code), closed.reason, failed=code != NORMAL)


def _failure_code(status: int | None) -> int:
    """A refusal that asking again cannot change is a policy violation; 429, try again later."""
    if status == 429:
        return TRY_AGAIN_LATER
    return POLICY_VIOLATION if status is not None and 400 <= status < 500 else INTERNAL_ERROR


@contextlib.asynccontextmanager
async def _slot(upstream: Upstream | None, timeout: float) -> AsyncIterator[None]:
    """One slot of the upstream's cap for the whole conversation, if one comes free in time."""
    if upstream is None:
        raise EngineError("the ElevenLabs upstream is not configured")
    async with contextlib.AsyncExitStack() as stack:
        try:
            async with asyncio.timeout(timeout):
                await stack.enter_async_context(upstream.slot())
        except TimeoutError:
            size = upstream.concurrency
            raise RateLimited(f"all {size} ElevenLabs upstream slots stayed busy for {timeout} s; "
                              "try again later", round(timeout), size) from None
        yield


@contextlib.asynccontextmanager
async def _connect(settings: Settings, asked: Asked) -> AsyncIterator[ClientConnection]:
    key = settings.elevenlabs_api_key
    assert key is not None, "an upstream voice needs the upstream's key"
    try:
        connection = await connect(
            _address(settings.elevenlabs_base_url, asked),
            additional_headers={"xi-api-key": key.get_secret_value()},
            open_timeout=min(settings.elevenlabs_timeout, 10.0),
            max_size=None,  # one generation's audio can be megabytes; the upstream is trusted
            logger=_Quiet(logging.getLogger("websockets.client")))
    except InvalidStatus as refused:
        raise _refused(refused.response.status_code, refused.response.body) from None
    except (OSError, TimeoutError, InvalidHandshake) as error:
        raise UpstreamError(f"could not reach the ElevenLabs upstream ({type(error).__name__})",
                            None) from None
    try:
        yield connection
    finally:
        await connection.close()


def _refused(status: int, body: bytes | bytearray | None) -> UpstreamError:
    """The upstream refused the WebSocket itself: say why, in its words, never our request."""
    try:
        detail = json.loads(body or b"null").get("detail")
    except (ValueError, AttributeError):
        detail = None
    said = str((detail.get("message") if isinstance(detail, dict) else detail) or "")[:200]
    what = "the key" if status == 401 else "the connection"
    return UpstreamError(f"the ElevenLabs upstream refused {what} ({status}{f': {said}' if said else ''})",
                         status)


def _address(base_url: str, asked: Asked) -> str:
    """The upstream's own stream-input URL, with the caller's query less any credentials."""
    parts = urlsplit(base_url.rstrip("/"))
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    query = urlencode([(name, value) for name, value in asked.query
                       if name.lower() not in SECRET_FIELDS])
    path = f"{parts.path}/v1/text-to-speech/{quote(asked.voice_id, safe='')}/stream-input"
    return urlunsplit((scheme, parts.netloc, path, query, ""))


async def _receive(websocket: WebSocket) -> dict[str, Any] | None:
    """The caller's next message, checked; None once it has gone."""
    frame = await websocket.receive()
    if frame["type"] == "websocket.disconnect":
        return None
    return protocol.message(frame)


async def _send(connection: ClientConnection, message: dict[str, Any],
                tags: TagFilter | None) -> None:
    """One message of the caller's on to the upstream, its audio tags taken out unless the
    model performs them (``tags`` is None): a tag split across messages is held until it
    closes, and what is held goes before the end of the input or a flush."""
    text = message.get("text")
    if tags is None or not isinstance(text, str):
        await connection.send(json.dumps(message, ensure_ascii=False))
        return
    said = tags.feed(text) if text else ""
    if text == "" or message.get("flush") is True:
        said += tags.flush()
    if text == "" and said:
        await connection.send(json.dumps({"text": said}, ensure_ascii=False))
        said = ""
    elif text and not said:
        said = " "  # all held back: an empty text would end the input
    await connection.send(json.dumps({**message, "text": said}, ensure_ascii=False))


def _outgoing(message: dict[str, Any]) -> dict[str, Any]:
    """The message as the upstream gets it: the caller's credentials left out."""
    return {name: value for name, value in message.items() if name.lower() not in SECRET_FIELDS}


async def close(websocket: WebSocket, code: int, message: str, error: str | None) -> None:
    """End a ``stream-input`` WebSocket, local or relayed: ``{"message", "error"}`` first, as
    ElevenLabs does (unless ``error`` is None: a close the upstream made, passed on as it came),
    then the close frame, with the message as its reason; a caller already gone is let go."""
    with contextlib.suppress(WebSocketDisconnect, OSError):
        if error is not None:
            await websocket.send_text(json.dumps({"message": message, "error": error}))
        await websocket.close(code, _trim(message))


def _trim(reason: str) -> str:
    return reason.encode(errors="replace")[:_REASON_BYTES].decode(errors="ignore")


class _Quiet(logging.LoggerAdapter[logging.Logger]):
    """websockets' DEBUG lines show the handshake's headers, the upstream key among them."""

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 (the logging API's name)
        return level > logging.DEBUG and self.logger.isEnabledFor(level)


class _Bill:
    """Which of the caller's messages stay paid for (see the module's docstring); the
    conversation's purchase settles the rest."""

    def __init__(self, purchase: Purchase) -> None:
        self.purchase = purchase
        self.finished = False  # the upstream said isFinal
        self._whitespace = ""
        self._pending: list[Part] = []  # handed on, no audio since

    async def charge(self, message: dict[str, Any]) -> Part | None:
        """Charge the message's text before it goes on; whitespace alone waits for more."""
        text = message.get("text")
        if text is None:
            return None
        text, self._whitespace = self._whitespace + text, ""
        if not text.strip():
            self._whitespace = text
            return None
        # in a thread that runs to its end even if this task is cancelled: the purchase
        # settles after it, or refuses it once settled
        return await asyncio.to_thread(self.purchase.charge, text)

    def sent(self, part: Part | None) -> None:
        if part is not None:
            self._pending.append(part)

    def heard(self, message: str | bytes) -> None:
        """An upstream message: audio delivers what was handed on before it."""
        try:
            answer = json.loads(message)
            audio = base64.b64decode(answer.get("audio") or "")
        except (ValueError, AttributeError):
            return
        if audio:
            self.purchase.keep(audio)
            self.finish()
        self.finished = self.finished or answer.get("isFinal") is True

    def finish(self) -> None:
        """Everything handed on so far was spoken."""
        self.purchase.delivered(*self._pending)
        self._pending.clear()
