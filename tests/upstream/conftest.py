"""A second Voicer server, on the local engine, playing the real ElevenLabs API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import Server


@pytest.fixture(scope="session")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second Voicer, on the local engine, as the "real" ElevenLabs API."""
    server = Server(tmp_path_factory.mktemp("upstream"),
                    env={"VOICER_REQUESTS_PER_MINUTE": "100000",
                         "VOICER_BASIC_REQUESTS_PER_HOUR": "100000"})
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def upstream_key(upstream: Server) -> str:
    return upstream.token(characters=10_000_000)
