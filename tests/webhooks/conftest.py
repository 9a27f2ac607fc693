from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import free_port
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver listening on a port of its own for the test."""
    listening = Receiver(free_port())
    listening.up()
    yield listening
    listening.down()
