"""Voice-design previews kept in the database until they expire, so that whichever process or
machine is asked to keep one (``POST /v1/text-to-voice``) finds it, and only its caller can."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from voicer.cloning.design import Design
from voicer.db import Database
from voicer.db.tables import User, VoicePreview
from voicer.errors import InvalidInput

PREFIX = "gen_"  # of every generated_voice_id


class Previews:
    def __init__(self, database: Database, lifetime: float) -> None:
        self.database = database
        self.lifetime = lifetime  # seconds a preview can be kept

    def offer(self, user: User, designs: list[Design]) -> list[str]:
        """Keep ``designs`` for ``user`` until they expire: their ``generated_voice_id``s. The
        previews that expired, anyone's, are forgotten now."""
        now = datetime.now(UTC)
        ids = [PREFIX + secrets.token_urlsafe(18) for _ in designs]
        with self.database.session() as session:
            session.execute(delete(VoicePreview).where(VoicePreview.expires_at < now))
            session.add_all(VoicePreview(id=preview_id, user_id=user.id, design=design.json(),
                                         created_at=now,
                                         expires_at=now + timedelta(seconds=self.lifetime))
                            for preview_id, design in zip(ids, designs, strict=True))
            session.commit()
        return ids

    def chosen(self, user: User, generated_voice_id: str) -> Design:
        """The design ``user``'s preview speaks; ``InvalidInput`` naming ``generated_voice_id``
        if it is no preview of theirs, or has expired."""
        with self.database.session() as session:
            row = session.get(VoicePreview, generated_voice_id)
        if row is None or row.user_id != user.id:
            raise InvalidInput("generated_voice_id", f"generated_voice_id {generated_voice_id!r} "
                                                     "is not one a design preview gave you")
        if row.expires_at < datetime.now(UTC):
            raise InvalidInput("generated_voice_id", (
                f"generated_voice_id {generated_voice_id!r} expired at "
                f"{row.expires_at.isoformat(timespec='seconds')}: previews can be kept for "
                f"{self.lifetime:,.0f} s; design the voice again"))
        return Design.from_json(row.design)
