"""What recognising audio costs: characters of the same quota, by the second of audio.

Listening is charged like speaking, from ``total_characters``: one second of audio costs
``VOICER_STT_CHARACTERS_PER_SECOND`` characters (15 by default, about what a reader speaks in
a second), rounded up, reserved before recognition starts and given back if it fails.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from voicer.accounts import refund_characters, reserve_characters
from voicer.db import Database


def audio_characters(seconds: float, per_second: float) -> int:
    return math.ceil(seconds * per_second)


@contextmanager
def charged(database: Database, user_id: str, characters: int) -> Iterator[None]:
    """``characters`` taken from the user's quota for the block; given back if it raises."""
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
