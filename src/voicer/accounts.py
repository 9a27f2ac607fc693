"""Users, their API tokens, and their character quotas.

Tokens are random, shown once, and stored only as SHA-256 hashes; a presented
token is hashed and compared in constant time. Quotas are reserved with one
conditional UPDATE, so concurrent submits can never overdraw.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from voicer.db.database import Database, rowcount
from voicer.db.tables import ACTIVE, Task, TaskStatus, Token, User, utcnow
from voicer.errors import Conflict, InvalidInput, NotAuthenticated, QuotaExceeded

TOKEN_PREFIX = "vk_"


class RatePlan(StrEnum):
    """A user's rate plan: how many requests an hour its tokens may make (Settings.hourly_limit)."""

    basic = "basic"
    pro = "pro"
    ultra = "ultra"


@dataclass(frozen=True, slots=True)
class NewToken:
    token_id: str
    user_id: str
    token: str  # the secret: shown once, never stored


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the user and the token they used (rate limits are per token)."""

    user: User
    token_id: str


class UserStats(BaseModel):
    """A user's quota and tasks, in figures."""

    model_config = ConfigDict(frozen=True, json_schema_extra={"examples": [{
        "user_id": "user_123456", "subscription_type": "unlimited", "total_characters": 100000,
        "used_characters": 25000, "remaining_characters": 75000, "total_tasks": 15,
        "completed_tasks": 12, "active_tasks": 2}]})

    user_id: str
    subscription_type: str
    total_characters: int
    used_characters: int
    remaining_characters: int
    total_tasks: int
    completed_tasks: int
    active_tasks: int


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, name: str, characters: int, plan: RatePlan) -> User:
    if characters < 0:
        raise InvalidInput("characters", "characters must be 0 or more")
    if session.scalar(select(User).where(User.name == name)):
        raise Conflict(f"a user named {name!r} exists already")
    user = User(id=f"user_{secrets.token_hex(6)}", name=name, plan=plan,
                total_characters=characters, used_characters=0)
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, name_or_id: str) -> User:
    user = session.scalar(select(User).where((User.id == name_or_id) | (User.name == name_or_id)))
    if user is None:
        raise InvalidInput("user", f"no user {name_or_id!r}")
    return user


def create_token(session: Session, user: User, name: str = "") -> NewToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = Token(id=f"tok_{secrets.token_hex(6)}", user_id=user.id, name=name,
                token_hash=hash_token(token))
    session.add(row)
    session.flush()
    return NewToken(row.id, user.id, token)


def revoke_token(session: Session, token_id: str) -> Token:
    row = session.get(Token, token_id)
    if row is None:
        raise InvalidInput("token_id", f"no token {token_id!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def list_tokens(session: Session, user: User | None = None) -> list[Token]:
    query = select(Token).order_by(Token.created_at)
    if user is not None:
        query = query.where(Token.user_id == user.id)
    return list(session.scalars(query))


def authenticate(session: Session, token: str | None) -> Caller:
    """The caller a presented token belongs to; ``NotAuthenticated`` otherwise."""
    if not token:
        raise NotAuthenticated("missing API token")
    digest = hash_token(token)
    row = session.scalar(select(Token).where(Token.token_hash == digest))
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        raise NotAuthenticated("invalid or revoked API token")
    user = session.get(User, row.user_id)
    assert user is not None
    return Caller(user, row.id)


def reserve_characters(session: Session, user_id: str, characters: int) -> None:
    """Take ``characters`` from the quota, all or nothing."""
    taken = session.execute(
        update(User)
        .where(User.id == user_id, User.total_characters - User.used_characters >= characters)
        .values(used_characters=User.used_characters + characters)
    )
    if rowcount(taken) != 1:
        user = session.get(User, user_id)
        left = user.total_characters - user.used_characters if user else 0
        raise QuotaExceeded(f"character quota exhausted: {characters:,} requested, "
                            f"{left:,} remaining")


def refund_characters(session: Session, user_id: str, characters: int) -> None:
    if characters > 0:
        session.execute(update(User).where(User.id == user_id)
                        .values(used_characters=User.used_characters - characters))


@contextmanager
def paid(database: Database, user_id: str, characters: int) -> Iterator[None]:
    """Take ``characters`` from the quota for the work of the block; given back if it fails."""
    with database.session() as session:
        reserve_characters(session, user_id, characters)
        session.commit()
    try:
        yield
    except BaseException:
        with database.session() as session:
            refund_characters(session, user_id, characters)
            session.commit()
        raise


def stats(session: Session, user: User) -> UserStats:
    def count(*conditions: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(Task).where(Task.user_id == user.id, *conditions)
        return session.scalar(query) or 0

    session.refresh(user)
    return UserStats(
        user_id=user.id,
        subscription_type=user.plan,
        total_characters=user.total_characters,
        used_characters=user.used_characters,
        remaining_characters=user.total_characters - user.used_characters,
        total_tasks=count(),
        completed_tasks=count(Task.status == TaskStatus.completed),
        active_tasks=count(Task.status.in_(ACTIVE)),
    )
