"""Rate limits per token, and request bodies too large to read.

Writes (anything but GET) have the per-minute and hourly limits; reads have a budget of their
own (tests/api/test_reads.py). A write refused for what it asks, here the cancelling of a task
that does not exist, has been counted all the same.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import Api, make_api
from voicer.accounts import RatePlan

WRITE = "/api/v1/voice/tasks/no-such-task"


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("limited"), requests_per_minute=5,
                        basic_requests_per_hour=8, pro_requests_per_hour=20,
                        max_request_bytes=10_000)


def test_the_per_minute_limit_answers_429_with_retry_after(limited: Api) -> None:
    headers = limited.user()
    answers = [limited.client.delete(WRITE, headers=headers) for _ in range(6)]
    assert [a.status_code for a in answers] == [404] * 5 + [429]
    assert [a.headers["RateLimit-Remaining"] for a in answers[:5]] == ["4", "3", "2", "1", "0"]
    refused = answers[-1]
    assert refused.headers["RateLimit-Limit"] == "5"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "5 requests per minute" in refused.json()["detail"]


def test_limits_are_per_token(limited: Api) -> None:
    first, second = limited.user(), limited.user()
    for _ in range(5):
        limited.client.delete(WRITE, headers=first)
    assert limited.client.delete(WRITE, headers=first).status_code == 429
    assert limited.client.delete(WRITE, headers=second).status_code == 404


@pytest.fixture(scope="module")
def hourly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("hourly"), requests_per_minute=1_000,
                        basic_requests_per_hour=8, pro_requests_per_hour=12)


def test_the_hourly_limit_follows_the_plan(hourly: Api) -> None:
    basic, pro = hourly.user(plan=RatePlan.basic), hourly.user(plan=RatePlan.pro)
    basic_answers = [hourly.client.delete(WRITE, headers=basic) for _ in range(9)]
    pro_answers = [hourly.client.delete(WRITE, headers=pro) for _ in range(13)]
    assert [a.status_code for a in basic_answers] == [404] * 8 + [429]
    assert "8 requests per hour" in basic_answers[-1].json()["detail"]
    # within the hour; how soon depends on where the sliding window's hour boundary falls
    assert 1 <= int(basic_answers[-1].headers["Retry-After"]) <= 3600
    assert [a.status_code for a in pro_answers] == [404] * 12 + [429]
    # reads are not counted against the hour
    assert hourly.client.get("/api/v1/user/stats", headers=basic).status_code == 200


def test_a_body_over_the_limit_is_413_from_its_length(limited: Api) -> None:
    answer = limited.client.post("/api/v1/voice/synthesize", headers=limited.user(),
                                 json={"text": "x" * 20_000})
    assert answer.status_code == 413 and "10,000 bytes" in answer.json()["detail"]
