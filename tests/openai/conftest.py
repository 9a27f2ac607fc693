"""A live Voicer with the recognition model, and the official ``openai`` SDK pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import OpenAI

from tests.api.conftest import Server


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory, whisper_dir: Path) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("openai"), env={"VOICER_STT_MODEL": str(whisper_dir)})
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="package")
def client(server: Server) -> Iterator[OpenAI]:
    """The SDK as its README configures it, with Voicer's address and a Voicer token."""
    with OpenAI(base_url=f"{server.url}/v1", api_key=server.token(characters=200_000),
                timeout=180, max_retries=0) as sdk:
        yield sdk
