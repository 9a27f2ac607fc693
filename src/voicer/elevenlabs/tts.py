"""Text-to-speech requests of the ElevenLabs API: check, charge, record. No HTTP here.

A request is charged its characters before any audio is made, refunded if it
fails, and kept in the caller's history once its audio is complete.
"""

from __future__ import annotations

import base64
import json
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from voicer.accounts import Caller, refund_characters, reserve_characters
from voicer.db.models import HistoryItem, User
from voicer.encoding.formats import OutputFormat
from voicer.errors import InvalidInput
from voicer.pipeline.plan import check_language, check_text
from voicer.speech import SpeechRequest
from voicer.storage import Storage, Stored
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voices


@dataclass(frozen=True, slots=True)
class Charged:
    """A checked, paid-for request, with the ids the response will carry."""

    speech: SpeechRequest
    user_id: str
    request_id: str
    history_id: str
    storage: Storage  # where the audio is kept for the history
    characters_before: int

    def keep(self) -> AbstractContextManager[BinaryIO]:
        """A file for the audio, kept once the block ends without an error."""
        return self.storage.write_history(self.history_id, self.speech.format.extension)

    def kept(self) -> Stored:
        return self.storage.open_history(self.history_id, self.speech.format.extension)


def prepare(session: Session, caller: Caller, voices: Voices, storage: Storage,
            voice_id: str, text: str, model_id: str, language_code: str | None,
            settings: VoiceSettings, output: OutputFormat) -> Charged:
    voice = voices.get(voice_id)
    model = voices.model(model_id, voice)
    check_text(text)
    if len(text) > model.max_characters:
        raise InvalidInput("text", f"text is {len(text):,} characters; {model.model_id} takes at "
                                   f"most {model.max_characters:,} per request")
    language = check_language(language_code, voices)
    user = session.get(User, caller.user.id)
    before = user.used_characters if user else 0
    reserve_characters(session, caller.user.id, len(text))
    session.commit()
    history_id = secrets.token_hex(10)
    return Charged(SpeechRequest(text, voice, model, settings, output, language), caller.user.id,
                   secrets.token_hex(10), history_id, storage, before)


def record(session: Session, charged: Charged) -> None:
    """The audio is complete: keep it in the caller's history."""
    speech = charged.speech
    session.add(HistoryItem(
        id=charged.history_id, user_id=charged.user_id, request_id=charged.request_id,
        voice_id=speech.voice.voice_id, voice_name=speech.voice.name,
        model_id=speech.model.model_id, text=speech.text, characters=len(speech.text),
        character_count_from=charged.characters_before, output_format=speech.format.name,
        content_type=speech.format.media_type, settings=speech.settings.model_dump(),
    ))
    session.commit()


def refund(session: Session, charged: Charged) -> None:
    """The request failed or the client left: give the characters back."""
    refund_characters(session, charged.user_id, len(charged.speech.text))
    session.commit()


def response_headers(charged: Charged) -> dict[str, Any]:
    return {"request-id": charged.request_id, "history-item-id": charged.history_id,
            "x-character-count": str(len(charged.speech.text)),
            "character-cost": str(len(charged.speech.text))}


def timestamped_audio(answer: bytes) -> bytes:
    """The audio inside an upstream with-timestamps answer: one JSON object, or one per line."""
    try:
        parts = [json.loads(answer)]
    except ValueError:
        parts = [json.loads(line) for line in answer.splitlines() if line.strip()]
    return b"".join(base64.b64decode(part.get("audio_base64") or "") for part in parts)
