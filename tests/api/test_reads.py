"""Reading one's own tasks: event streams that do not starve the service, a read budget apart
from the write limits, and status requests that wait for a task about to end."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Api, Server, make_api
from tests.waiting import wait_until

VOICE = "/api/v1/voice"
PATIENT = 120.0  # seconds a client waits for an answer: generous on a loaded machine


@pytest.fixture(scope="module")
def queued(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Callable[..., Server]]:
    """Servers that queue tasks on Redis with no worker to take them: tasks stay pending."""
    started: list[Server] = []

    def start(**env: str) -> Server:
        server = Server(tmp_path_factory.mktemp("queued"), env={
            "VOICER_BROKER_URL": redis_url, "VOICER_REQUESTS_PER_MINUTE": "100000",
            "VOICER_BASIC_REQUESTS_PER_HOUR": "100000", "VOICER_READS_PER_MINUTE": "100000",
            **env})
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def crowded(queued: Callable[..., Server]) -> Server:
    return queued(VOICER_MAX_EVENT_STREAMS_PER_TOKEN="500", VOICER_STATUS_WAIT_SECONDS="0")


@pytest.fixture(scope="module")
def capped(queued: Callable[..., Server]) -> Server:
    return queued(VOICER_MAX_EVENT_STREAMS_PER_TOKEN="2")


def pending_task(server: Server, headers: dict[str, str]) -> str:
    created = httpx.post(f"{server.url}{VOICE}/synthesize", headers=headers,
                         json={"text": "Ещё не сказано."}, timeout=PATIENT)
    assert created.status_code == 200, created.text
    return str(created.json()["task_id"])


def bearer(server: Server) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token()}"}


# Event streams


@dataclass
class Stream:
    """An event stream, open until closed. Its lines are kept: dropping them closes it."""

    response: httpx.Response
    lines: Iterator[str] | AsyncIterator[str]


async def _first_event(client: httpx.AsyncClient, path: str) -> Stream:
    """An event stream with its first event read, left open; an answer other than 200 read."""
    response = await client.send(client.build_request("GET", path), stream=True)
    lines = response.aiter_lines()
    if response.status_code != 200:
        await response.aread()
    async for line in lines:
        if line.startswith("data: "):
            break
    return Stream(response, lines)


async def _crowd(server: Server, headers: dict[str, str], task_ids: list[str],
                 streams: int) -> tuple[list[int], httpx.Response, httpx.Response]:
    """Open ``streams`` event streams at once; with all of them open, ask for a status and
    for one stream more. Returns the streams' statuses and the two answers."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=PATIENT,
                                 limits=limits) as client:
        opened = await asyncio.gather(*[
            _first_event(client, f"{VOICE}/status/{task_ids[i % len(task_ids)]}/events")
            for i in range(streams)])
        try:
            status = await client.get(f"{VOICE}/status/{task_ids[0]}")
            one_more = (await _first_event(client, f"{VOICE}/status/{task_ids[0]}/events")).response
            await one_more.aclose()
        finally:
            await asyncio.gather(*[stream.response.aclose() for stream in opened])
    return [stream.response.status_code for stream in opened], status, one_more


def test_with_500_event_streams_open_a_status_request_is_answered(crowded: Server) -> None:
    headers = bearer(crowded)
    task_ids = [pending_task(crowded, headers) for _ in range(10)]
    opened, status, one_more = asyncio.run(_crowd(crowded, headers, task_ids, 500))
    assert opened == [200] * 500
    assert status.status_code == 200 and status.json()["status"] == "pending"
    assert one_more.status_code == 429
    assert "at most 500" in one_more.json()["detail"]


@pytest.fixture
def client(capped: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=capped.url, timeout=PATIENT,
                      limits=httpx.Limits(max_keepalive_connections=0)) as opened:
        yield opened


def _open(client: httpx.Client, headers: dict[str, str], task_id: str) -> Stream:
    """The same with a blocking client."""
    response = client.send(client.build_request("GET", f"{VOICE}/status/{task_id}/events",
                                                headers=headers), stream=True)
    lines = response.iter_lines()
    if response.status_code != 200:
        response.read()
    for line in lines:
        if line.startswith("data: "):
            break
    return Stream(response, lines)


def _admitted(client: httpx.Client, headers: dict[str, str], task_id: str) -> Stream | None:
    stream = _open(client, headers, task_id)
    if stream.response.status_code == 200:
        return stream
    stream.response.close()
    return None


def test_one_stream_over_the_limit_is_429_and_a_closed_one_frees_its_place(
        capped: Server, client: httpx.Client) -> None:
    headers = bearer(capped)
    task_id = pending_task(capped, headers)
    first, second = _open(client, headers, task_id), _open(client, headers, task_id)
    assert (first.response.status_code, second.response.status_code) == (200, 200)
    refused = _open(client, headers, task_id).response
    assert refused.status_code == 429
    assert "at most 2" in refused.json()["detail"]
    assert "RateLimit-Remaining" in refused.headers
    # another token has places of its own
    elsewhere = bearer(capped)
    other = _open(client, elsewhere, pending_task(capped, elsewhere))
    assert other.response.status_code == 200
    other.response.close()

    first.response.close()  # the client goes away
    third = wait_until(lambda: _admitted(client, headers, task_id), 30, "a freed place")
    second.response.close()
    third.response.close()


def test_a_stream_that_ends_with_its_task_frees_its_place(capped: Server,
                                                          client: httpx.Client) -> None:
    headers = bearer(capped)
    task_id = pending_task(capped, headers)
    streams = [_open(client, headers, task_id) for _ in range(2)]
    assert [stream.response.status_code for stream in streams] == [200, 200]
    assert client.delete(f"{VOICE}/tasks/{task_id}", headers=headers).status_code == 200
    for stream in streams:
        assert isinstance(stream.lines, Iterator)
        last = [line for line in stream.lines if line.startswith("data: ")][-1]
        assert json.loads(last[6:])["status"] == "cancelled"
        stream.response.close()
    another = pending_task(capped, headers)
    again = [wait_until(lambda: _admitted(client, headers, another), 30, "a freed place")
             for _ in range(2)]
    for stream in again:
        stream.response.close()


# Status requests that wait


def test_a_status_request_waits_as_long_as_asked_then_answers(capped: Server) -> None:
    headers = bearer(capped)
    task_id = pending_task(capped, headers)  # never taken: no worker listens to the queue
    answer = httpx.get(f"{capped.url}{VOICE}/status/{task_id}", params={"wait": 1},
                       headers=headers, timeout=PATIENT)
    assert answer.status_code == 200 and answer.json()["status"] == "pending"


@pytest.mark.parametrize("wait", ["-1", "31", "soon"])
def test_a_wait_out_of_bounds_is_422(capped: Server, wait: str) -> None:
    headers = bearer(capped)
    answer = httpx.get(f"{capped.url}{VOICE}/status/{pending_task(capped, headers)}",
                       params={"wait": wait}, headers=headers, timeout=PATIENT)
    assert answer.status_code == 422
    assert "RateLimit-Limit" in answer.headers


@pytest.fixture(scope="module")
def reads(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("reads"), requests_per_minute=5)


def test_one_status_request_right_after_submitting_finds_a_short_task_done(reads: Api) -> None:
    headers = reads.user()
    created = reads.client.post(f"{VOICE}/synthesize", headers=headers,
                                json={"text": "Текст с паузами."})
    status = reads.client.get(f"{VOICE}/status/{created.json()['task_id']}", headers=headers)
    assert status.json()["status"] == "completed"
    assert status.json()["download_url"].endswith(f"/download/{created.json()['task_id']}")


def test_a_status_request_asked_to_wait_sees_a_longer_task_end(reads: Api) -> None:
    headers = reads.user()
    text = " ".join(f"Предложение номер {n}." for n in range(1, 7))
    created = reads.client.post(f"{VOICE}/synthesize", headers=headers,
                                json={"text": text, "split_type": "sentences"}).json()
    assert created["chunks_count"] == 6
    status = reads.client.get(f"{VOICE}/status/{created['task_id']}", params={"wait": 30},
                              headers=headers)
    assert status.json()["status"] == "completed"


# The read budget


def test_polling_a_task_is_never_refused_while_synthesis_keeps_its_limit(reads: Api) -> None:
    headers = reads.user()
    created = reads.client.post(f"{VOICE}/synthesize", headers=headers, json={"text": "Да."})
    task_id = created.json()["task_id"]
    # the submits right after the first, within a second: a sliding window counts them all
    submits = [reads.client.post(f"{VOICE}/synthesize", headers=headers, json={"text": "Нет."})
               for _ in range(5)]
    assert [answer.status_code for answer in submits] == [200] * 4 + [429]
    assert "5 requests per minute" in submits[-1].json()["detail"]
    # synthesis is refused now; reading never is
    polls = [reads.client.get(f"{VOICE}/status/{task_id}", headers=headers) for _ in range(120)]
    assert {poll.status_code for poll in polls} == {200}
    assert polls[-1].headers["RateLimit-Limit"] == "600"
    listed = reads.client.get(f"{VOICE}/tasks", headers=headers)
    assert listed.status_code == 200


@pytest.mark.parametrize(("method", "path", "code", "limit"), [
    ("GET", f"{VOICE}/status/no-such-task", 404, "600"),
    ("GET", f"{VOICE}/status/no-such-task/events", 404, "600"),
    ("GET", f"{VOICE}/download/no-such-task", 404, "600"),
    ("DELETE", f"{VOICE}/tasks/no-such-task", 404, "5"),
    ("GET", f"{VOICE}/tasks?limit=0", 422, "600"),
])
def test_error_answers_carry_the_rate_limit_headers(reads: Api, method: str, path: str,
                                                   code: int, limit: str) -> None:
    answer = reads.client.request(method, path, headers=reads.user())
    assert answer.status_code == code
    assert answer.headers["RateLimit-Limit"] == limit
    assert int(answer.headers["RateLimit-Remaining"]) == int(limit) - 1
    assert 1 <= int(answer.headers["RateLimit-Reset"]) <= 60


def test_a_download_of_an_unfinished_task_is_409_with_the_headers(capped: Server) -> None:
    headers = bearer(capped)
    answer = httpx.get(f"{capped.url}{VOICE}/download/{pending_task(capped, headers)}",
                       headers=headers, timeout=PATIENT)
    assert answer.status_code == 409 and answer.headers["RateLimit-Limit"] == "100000"


def test_the_read_budget_has_a_limit_of_its_own(tmp_path: Path) -> None:
    for api in make_api(tmp_path, requests_per_minute=2, reads_per_minute=3):
        headers = api.user()
        answers = [api.client.get("/api/v1/user/stats", headers=headers) for _ in range(4)]
        assert [a.status_code for a in answers] == [200] * 3 + [429]
        assert "3 requests per minute" in answers[-1].json()["detail"]
        # the writes' budget is untouched by the reads
        assert api.client.delete(f"{VOICE}/tasks/no-such-task", headers=headers).status_code == 404
