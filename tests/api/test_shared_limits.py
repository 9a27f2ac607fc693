"""Rate limits shared through Redis: several API processes count one token's requests together."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Server
from voicer.errors import RateLimited
from voicer.ratelimit import RateLimiter
from voicer.settings import Settings


def test_limiters_sharing_redis_never_give_out_more_than_the_limit(redis_url: str) -> None:
    settings = Settings(rate_limit_storage=redis_url, requests_per_minute=60)
    limiters = [RateLimiter(settings), RateLimiter(settings)]  # as two processes hold them
    token = f"tok_{uuid.uuid4().hex}"

    def hit(i: int) -> bool:
        try:
            limiters[i % 2].hit(token, "basic")
        except RateLimited:
            return False
        return True

    with ThreadPoolExecutor(20) as pool:
        granted = list(pool.map(hit, range(100)))
    assert granted.count(True) == 60


@pytest.fixture
def two_servers(tmp_path: Path, postgres_url: str, redis_url: str) -> Iterator[list[Server]]:
    env = {"VOICER_DATABASE_URL": postgres_url, "VOICER_RATE_LIMIT_STORAGE": redis_url,
           "VOICER_READS_PER_MINUTE": "60"}  # the budget of GET requests
    servers = [Server(tmp_path / name, env=env) for name in ("first", "second")]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_two_servers_share_one_per_minute_limit(two_servers: list[Server]) -> None:
    headers = {"Authorization": f"Bearer {two_servers[0].token()}"}
    answers = [httpx.get(f"{two_servers[i % 2].url}/api/v1/user/stats", headers=headers, timeout=30)
               for i in range(61)]
    assert [a.status_code for a in answers] == [200] * 60 + [429]
    assert [int(a.headers["RateLimit-Remaining"]) for a in answers[:60]] == list(range(59, -1, -1))
    refused = answers[-1]
    assert refused.headers["RateLimit-Limit"] == "60"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "60 requests per minute" in refused.json()["detail"]


def test_a_limiter_whose_redis_is_away_lets_requests_through_quickly(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    limiter = RateLimiter(Settings(data_dir=tmp_path,  # type: ignore[call-arg]
                                   rate_limit_storage=f"redis://127.0.0.1:{port}/0"))
    with ThreadPoolExecutor(1) as pool:  # bounded: a client's retries would take many seconds
        allowance = pool.submit(limiter.hit, "token", "basic").result(timeout=5)
    assert allowance.remaining == allowance.limit
