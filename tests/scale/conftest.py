"""What the scale-out tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from voicer.db import Database


@pytest.fixture
def database(postgres_url: str) -> Iterator[Database]:
    """The cluster's database, as the test looks into it."""
    opened = Database(postgres_url)
    try:
        yield opened
    finally:
        opened.close()
