"""Each user's own voices (cloned from a reference, or designed), kept in the database so every
Voicer process, API nodes and workers on any machine, can speak them.

They are private. Who is asking is :data:`viewer`: the API sets it to the caller's user id
once the caller is authenticated, and another user's voice is then as unknown as one that never
existed (not listed, not found, not spoken). Workers leave it unset: they speak the voices of
tasks their owners were allowed to submit.
"""

from __future__ import annotations

import secrets
import string
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voicer.db import Database
from voicer.db.tables import OwnedVoice, User
from voicer.errors import Forbidden, InvalidInput, NotFound, UnknownVoice
from voicer.models import DEFAULT_MODEL_ID
from voicer.voices.catalogue import Voice, Voices

# The user whose own voices this request may see; None: every voice, by id (workers).
viewer: ContextVar[str | None] = ContextVar("voicer_voice_viewer", default=None)

_ALPHABET = string.ascii_letters + string.digits
NAME_LIMIT = 200


@dataclass(frozen=True, slots=True)
class NewVoice:
    """A voice to keep for its owner: what the user said of it, and how its engine speaks it."""

    name: str
    description: str
    labels: dict[str, str]
    category: str  # "cloned" or "generated"
    engine: str
    params: dict[str, Any]
    languages: tuple[str, ...]
    analysis: dict[str, Any] | None = None
    voice_id: str = field(default_factory=lambda: "".join(secrets.choice(_ALPHABET)
                                                          for _ in range(20)))


class OwnedVoices:
    """The users' own voices, by id; a request sees only its :data:`viewer`'s."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def get(self, voice_id: str) -> Voice | None:
        """The own voice of that id (None: no one's); ``UnknownVoice`` when it is another
        user's, so that no one else can speak it, even where the upstream keeps it."""
        with self.database.session() as session:
            row = session.get(OwnedVoice, voice_id)
            if row is None:
                return None
            if not _visible(row):
                raise UnknownVoice(voice_id)
            return voice_of(row)

    def get_own(self, user: User, voice_id: str) -> Voice | None:
        """``user``'s own voice of that id, if it is theirs."""
        with self.database.session() as session:
            row = session.get(OwnedVoice, voice_id)
            return voice_of(row) if row is not None and row.user_id == user.id else None

    def visible(self) -> list[Voice]:
        """The viewer's own voices, oldest first (none when no one is asking)."""
        user_id = viewer.get()
        if user_id is None:
            return []
        with self.database.session() as session:
            return [voice_of(row) for row in _rows(session, user_id)]

    def add(self, user: User, new: NewVoice, limit: int) -> Voice:
        """Keep ``new`` for ``user``; ``Forbidden`` once they keep ``limit`` voices."""
        _check_name(new.name)
        with self.database.session() as session:
            _room(session, user, limit)
            row = OwnedVoice(id=new.voice_id, user_id=user.id, category=new.category,
                             name=new.name, description=new.description, labels=new.labels,
                             engine=new.engine, params=new.params,
                             languages=list(new.languages), analysis=new.analysis)
            session.add(row)
            session.commit()
            return voice_of(row)

    def check_room(self, user: User, limit: int) -> None:
        """``Forbidden`` if ``user`` keeps ``limit`` voices already (before the work of a clone)."""
        with self.database.session() as session:
            _room(session, user, limit)

    def edit(self, user: User, voice_id: str, name: str, description: str | None,
             labels: dict[str, str] | None) -> None:
        _check_name(name)
        with self.database.session() as session:
            row = _own(session, user, voice_id)
            row.name = name
            if description is not None:
                row.description = description
            if labels is not None:
                row.labels = {**row.labels, **labels}
            session.commit()

    def set_settings(self, user: User, voice_id: str, settings: dict[str, Any]) -> None:
        with self.database.session() as session:
            _own(session, user, voice_id).settings = settings
            session.commit()

    def delete(self, user: User, voice_id: str) -> None:
        with self.database.session() as session:
            session.delete(_own(session, user, voice_id))
            session.commit()

    def kept(self, voice_ids: list[str]) -> set[str]:
        """Which of ``voice_ids`` are someone's own voices, whoever is asking."""
        if not voice_ids:
            return set()
        with self.database.session() as session:
            return set(session.scalars(select(OwnedVoice.id).where(OwnedVoice.id.in_(voice_ids))))


def voice_of(row: OwnedVoice) -> Voice:
    labels = {str(key): str(value) for key, value in row.labels.items()}
    return Voice(
        voice_id=row.id, name=row.name, languages=tuple(row.languages),
        gender=labels.get("gender", "unknown"), age=labels.get("age", "unknown"),
        accent=labels.get("accent", "unknown"), description=labels.get("description", row.category),
        use_case=labels.get("use_case", row.category), long_description=row.description,
        engine=row.engine, params=dict(row.params), listing=_listing(row, labels))


def _listing(row: OwnedVoice, labels: dict[str, str]) -> dict[str, Any]:
    """The voice as ElevenLabs lists a user's own voice."""
    return {
        "voice_id": row.id, "name": row.name, "category": row.category, "labels": labels,
        "description": row.description, "settings": row.settings, "samples": None,
        "fine_tuning": None, "preview_url": None, "available_for_tiers": [], "sharing": None,
        "high_quality_base_model_ids": [], "collection_ids": [], "safety_control": None,
        "voice_verification": None, "permission_on_resource": "admin", "is_owner": True,
        "is_legacy": False, "is_mixed": False, "favorited_at_unix": None,
        "created_at_unix": int(row.created_at.timestamp()), "is_bookmarked": False,
        "verified_languages": [{"language": language, "model_id": DEFAULT_MODEL_ID,
                                "accent": labels.get("accent"), "locale": None,
                                "preview_url": None} for language in row.languages],
        "analysis": row.analysis,  # Voicer's own: what was measured of the reference
    }


def _visible(row: OwnedVoice) -> bool:
    user_id = viewer.get()
    return user_id is None or row.user_id == user_id


def _rows(session: Session, user_id: str) -> list[OwnedVoice]:
    return list(session.scalars(select(OwnedVoice).where(OwnedVoice.user_id == user_id)
                                .order_by(OwnedVoice.created_at, OwnedVoice.id)))


def _own(session: Session, user: User, voice_id: str) -> OwnedVoice:
    """``user``'s own voice of that id; another user's is not found, as if it did not exist."""
    row = session.get(OwnedVoice, voice_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"voice {voice_id!r} is not one of your own voices")
    return row


def _room(session: Session, user: User, limit: int) -> None:
    kept = session.scalar(select(func.count()).select_from(OwnedVoice)
                          .where(OwnedVoice.user_id == user.id)) or 0
    if kept >= limit:
        raise Forbidden(f"voice limit reached: the {user.plan} plan keeps {limit} own voices; "
                        f"delete one first")


def _check_name(name: str) -> None:
    if not name.strip() or len(name) > NAME_LIMIT:
        raise InvalidInput("name", f"name must be 1 to {NAME_LIMIT} characters")


def changeable(voices: Voices, voice_id: str) -> Voice:
    """The caller's own voice of that id, to edit or delete: ``NotFound`` for no voice the
    caller may see, ``Forbidden`` for a premade one."""
    try:
        voice = voices.get(voice_id)
    except UnknownVoice:
        raise NotFound(f"voice {voice_id!r} not found") from None
    if not (voice.listing or {}).get("is_owner"):
        raise Forbidden(f"voice {voice_id!r} is a premade voice: only your own (cloned or "
                        f"designed) voices can be changed or deleted")
    return voice
