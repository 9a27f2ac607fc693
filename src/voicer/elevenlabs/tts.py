"""One-shot text-to-speech requests of the ElevenLabs API: spoken here or by the upstream. No HTTP here.

A request is a purchase (``voicer.elevenlabs.billing``) of one part, its whole text: charged
before any audio is made, delivered once its last byte went out, and then kept in the
caller's history; a request that fails, or whose caller leaves, is given back whole.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from voicer.accounts import Caller
from voicer.elevenlabs.billing import Billing, Part, Purchase
from voicer.errors import EngineError
from voicer.language import LanguageDetector
from voicer.speech import AudioPiece, SpeechPool, SpeechRequest, speak
from voicer.storage import Stored
from voicer.upstream.engine import Relayed, Upstream


@dataclass(frozen=True, slots=True)
class Charged:
    """A checked, paid-for request: its purchase, and the one part that is its text."""

    purchase: Purchase
    part: Part

    @property
    def speech(self) -> SpeechRequest:
        return self.purchase.order

    def headers(self) -> dict[str, str]:
        """The ids and the cost a response carries."""
        characters = str(len(self.part.text))
        return {"request-id": self.purchase.request_id,
                "history-item-id": self.purchase.history_id,
                "x-character-count": characters, "character-cost": characters}

    def kept(self) -> Stored:
        """The whole audio, from the history, once ``spoken`` has run to the end."""
        return self.purchase.kept()


def charge(billing: Billing, caller: Caller, order: SpeechRequest, text: str) -> Charged:
    purchase = billing.open(caller, order)
    return Charged(purchase, purchase.charge(text))


def spoken(charged: Charged, speech: SpeechPool, detector: LanguageDetector,
           said: str | None = None) -> Iterator[AudioPiece]:
    """Speak a local voice piece by piece, keeping a copy; settled however it ends.
    ``said``: the charged text as it is to be spoken, when it differs (cues added)."""
    purchase = charged.purchase
    with purchase, speech.lease() as pool:
        for piece in speak(said or charged.part.text, charged.speech, pool,
                           purchase.billing.voices, detector):
            purchase.keep(piece.audio)
            yield piece
        purchase.delivered(charged.part)


def ask_upstream(charged: Charged, upstream: Upstream | None, route: str,
                 body: dict[str, Any], params: dict[str, str | int]) -> Relayed:
    """The same request of the upstream (``route`` after the voice); given back if refused."""
    voice_id = charged.purchase.order.voice.voice_id
    try:
        if upstream is None:
            raise EngineError(f"voice {voice_id!r} needs the ElevenLabs upstream, which is "
                              "not configured")
        return upstream.relay(f"/v1/text-to-speech/{voice_id}{route}",
                              _texts_for(upstream, body), params)
    except BaseException:
        charged.purchase.settle()
        raise


def _texts_for(upstream: Upstream, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with its texts as its model is to get them (audio tags only for eleven_v3)."""
    model_id = str(body["model_id"])
    return {**body, **{name: upstream.text_for(model_id, body[name])
                       for name in ("text", "previous_text", "next_text")
                       if isinstance(body.get(name), str)}}


def relayed(charged: Charged, answer: Relayed, timestamped: bool) -> Iterator[bytes]:
    """The upstream's bytes as they come, a copy of the audio kept; settled however it ends."""
    purchase = charged.purchase
    with purchase, closing(answer):
        lines = []  # a timestamped answer is JSON: its audio is known at its end
        for piece in answer:
            if timestamped:
                lines.append(piece)
            else:
                purchase.keep(piece)
            yield piece
        if timestamped:
            purchase.keep(timestamped_audio(b"".join(lines)))
        purchase.delivered(charged.part)


def timestamped_audio(answer: bytes) -> bytes:
    """The audio inside an upstream with-timestamps answer: one JSON object, or one per line."""
    try:
        parts = [json.loads(answer)]
    except ValueError:
        parts = [json.loads(line) for line in answer.splitlines() if line.strip()]
    return b"".join(base64.b64decode(part.get("audio_base64") or "") for part in parts)
