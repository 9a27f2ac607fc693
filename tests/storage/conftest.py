"""A real S3-compatible server (moto's) on a free port, and a fresh bucket per test."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.servers import free_port


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def settings(self) -> dict[str, Any]:
        """The Voicer settings that point at this server."""
        return {"s3_endpoint_url": self.endpoint, "s3_region": "us-east-1",
                "s3_access_key_id": "voicer-test", "s3_secret_access_key": "voicer-test-secret"}

    def client(self) -> Any:
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="voicer-test", aws_secret_access_key="voicer-test-secret")

    def new_bucket(self) -> str:
        name = f"voicer-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=name)
        return name


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield S3Server(f"http://127.0.0.1:{port}")
    server.stop()


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    return s3_server.new_bucket()
