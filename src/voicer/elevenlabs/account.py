"""The caller's ElevenLabs-style user, subscription and history. No HTTP here."""

from __future__ import annotations

import calendar
import io
import zipfile
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voicer.db.tables import HistoryItem, User
from voicer.elevenlabs import shapes
from voicer.encoding.formats import kept_format
from voicer.errors import InvalidInput, NotFound
from voicer.storage import Storage, Stored


def subscription(session: Session, user: User) -> dict[str, Any]:
    session.refresh(user)
    return shapes.subscription_json(user.plan, user.used_characters, user.total_characters,
                                    _next_month())


def user(session: Session, user: User) -> dict[str, Any]:
    return shapes.user_json(user.id, user.name, int(user.created_at.timestamp()),
                            subscription(session, user))


def history(session: Session, user: User, page_size: int, start_after: str | None,
            voice_id: str | None, model_id: str | None, search: str | None,
            sort_direction: str) -> tuple[list[HistoryItem], bool]:
    """A page of the caller's items, newest first unless asked otherwise."""
    query = select(HistoryItem).where(HistoryItem.user_id == user.id)
    if voice_id:
        query = query.where(HistoryItem.voice_id == voice_id)
    if model_id:
        query = query.where(HistoryItem.model_id == model_id)
    if search:
        query = query.where(HistoryItem.text.contains(search))
    newest_first = sort_direction == "desc"
    if start_after:
        anchor = history_item(session, user, start_after)
        query = query.where(HistoryItem.created_at < anchor.created_at if newest_first
                            else HistoryItem.created_at > anchor.created_at)
    order = HistoryItem.created_at.desc() if newest_first else HistoryItem.created_at.asc()
    items = list(session.scalars(query.order_by(order).limit(page_size + 1)))
    return items[:page_size], len(items) > page_size


def history_item(session: Session, user: User, item_id: str) -> HistoryItem:
    item = session.get(HistoryItem, item_id)
    if item is None or item.user_id != user.id:
        raise NotFound(f"history item {item_id} not found")
    return item


def delete_history_item(session: Session, storage: Storage, user: User, item_id: str) -> None:
    item = history_item(session, user, item_id)
    storage.remove_history(item.id, _extension(item))
    session.delete(item)
    session.commit()


def audio(storage: Storage, item: HistoryItem) -> Stored:
    return storage.open_history(item.id, _extension(item))


def history_items(session: Session, user: User, item_ids: list[str]) -> list[HistoryItem]:
    """The caller's items of those ids, in that order; ``NotFound`` names the first missing."""
    if not item_ids:
        raise InvalidInput("history_item_ids", "history_item_ids must name at least one item")
    return [history_item(session, user, item_id) for item_id in dict.fromkeys(item_ids)]


def zipped(storage: Storage, items: list[HistoryItem]) -> bytes:
    """Several items' audio in one ZIP, each as ``{history_item_id}.{extension}``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for item in items:
            with archive.open(f"{item.id}.{_extension(item)}", "w") as member:
                for piece in audio(storage, item).pieces:
                    member.write(piece)
    return buffer.getvalue()


def history_json(item: HistoryItem) -> dict[str, Any]:
    return shapes.history_item_json(
        history_item_id=item.id, request_id=item.request_id, voice_id=item.voice_id,
        voice_name=item.voice_name, model_id=item.model_id, text=item.text,
        date_unix=int(item.created_at.timestamp()),
        character_count_change_from=item.character_count_from,
        character_count_change_to=item.character_count_from + item.characters,
        output_format=item.output_format, settings=item.settings, content_type=item.content_type)


def _extension(item: HistoryItem) -> str:
    return kept_format(item.output_format).extension


def _next_month() -> int:
    now = datetime.now(UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return calendar.timegm((year, month, 1, 0, 0, 0))
