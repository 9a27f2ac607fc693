"""A live Voicer over TLS and the official SDK pointed at it, for the SDK tests."""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import trustme
from elevenlabs import ElevenLabs

from tests.api.conftest import Server


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("tls")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    certificate.private_key_and_cert_chain_pem.write_to_path(str(folder / "server.pem"))
    authority.cert_pem.write_to_path(str(folder / "ca.pem"))
    server = Server(folder / "data", scheme="https",
                    extra_args=["--ssl-certfile", str(folder / "server.pem"),
                                "--ssl-keyfile", str(folder / "server.pem")],
                    verify=ssl.create_default_context(cafile=str(folder / "ca.pem")))
    previous = os.environ.get("SSL_CERT_FILE")
    # what an SDK user does to trust a self-signed certificate: httpx and websockets read it
    os.environ["SSL_CERT_FILE"] = str(folder / "ca.pem")
    server.start()
    yield server
    server.stop()
    if previous is None:
        del os.environ["SSL_CERT_FILE"]
    else:
        os.environ["SSL_CERT_FILE"] = previous


@pytest.fixture(scope="module")
def client(tls_server: Server) -> Iterator[ElevenLabs]:
    with httpx.Client(timeout=60) as connection:
        yield ElevenLabs(base_url=tls_server.url, api_key=tls_server.token(characters=200_000),
                         httpx_client=connection)


@contextmanager
def sdk_on(tmp_path: Path, env: dict[str, str] | None = None,
           characters: int = 100_000) -> Iterator[tuple[Server, ElevenLabs]]:
    """A live Voicer (plain HTTP, ``env`` added to its environment) and the official SDK
    pointed at it for a new user of ``characters``; the server stops when the block ends."""
    server = Server(tmp_path, env=env or {})
    server.start()
    try:
        with httpx.Client(timeout=180) as connection:
            yield server, ElevenLabs(base_url=server.url, api_key=server.token(characters=characters),
                                     httpx_client=connection)
    finally:
        server.stop()
