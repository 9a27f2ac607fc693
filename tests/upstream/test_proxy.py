"""The fault proxy itself, in front of a small ASGI app under uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.upstream.proxy import FaultProxy, Faults

SPEAK = "/v1/text-to-speech/voice-1"
PIECES = [b"first piece ", b"second piece ", b"third piece"]
GAP = 0.1  # seconds between streamed pieces


async def speak(request: Request) -> Response:
    """Echoes what it got, after ``?delay=`` seconds."""
    await asyncio.sleep(float(request.query_params.get("delay", "0")))
    return JSONResponse({"got": (await request.json()), "query": request.url.query},
                        headers={"request-id": "request-1"})


async def speak_streaming(request: Request) -> Response:
    async def pieces() -> AsyncIterator[bytes]:
        for number, piece in enumerate(PIECES):
            if number:
                await asyncio.sleep(GAP)
            yield piece

    return StreamingResponse(pieces(), media_type="audio/mpeg", headers={"request-id": "request-2"})


async def voices(request: Request) -> Response:
    return JSONResponse({"voices": []})


APP = Starlette(routes=[Route(SPEAK, speak, methods=["POST"]),
                        Route(f"{SPEAK}/stream", speak_streaming, methods=["POST"]),
                        Route("/v1/voices", voices)])


@pytest.fixture(scope="module")
def target() -> Iterator[str]:
    """The app under uvicorn on a free port, in a thread; yields its URL."""
    server = uvicorn.Server(uvicorn.Config(APP, host="127.0.0.1", port=0, log_level="warning",
                                           lifespan="off", ws="none"))
    thread = threading.Thread(target=server.run, name="proxy-target")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the target did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    server.should_exit = True
    thread.join()


@pytest.fixture
def proxy(target: str) -> Iterator[FaultProxy]:
    with FaultProxy(target) as running:
        yield running


def speak_through(proxy: FaultProxy, client: httpx.Client, text: str = "Hello.") -> httpx.Response:
    return client.post(f"{proxy.url}{SPEAK}", json={"text": text})


def test_a_request_passes_through_with_its_headers_query_and_body(proxy: FaultProxy) -> None:
    body = {"text": "Hello.", "previous_text": "Before.", "previous_request_ids": ["a", "b"]}
    answer = httpx.post(f"{proxy.url}{SPEAK}", params={"output_format": "pcm_24000"}, json=body,
                        headers={"xi-api-key": "key-1"})

    assert answer.status_code == 200
    assert answer.json() == {"got": body, "query": "output_format=pcm_24000"}
    assert answer.headers["request-id"] == "request-1"
    assert answer.headers["content-type"] == "application/json"
    [seen] = proxy.seen
    assert (seen.method, seen.path, seen.query) == ("POST", SPEAK, "output_format=pcm_24000")
    assert seen.headers["xi-api-key"] == "key-1"
    assert seen.json == body
    assert (seen.fault, seen.status) == (None, 200)
    assert seen.response_headers["request-id"] == "request-1"


def test_a_streamed_answer_is_passed_on_as_it_arrives(proxy: FaultProxy) -> None:
    arrivals: list[tuple[float, bytes]] = []
    with httpx.Client() as client, client.stream("POST", f"{proxy.url}{SPEAK}/stream",
                                                 json={"text": "Hello."}) as answer:
        for piece in answer.iter_raw():
            arrivals.append((time.monotonic(), piece))

    assert answer.headers["request-id"] == "request-2"
    assert answer.headers["content-type"] == "audio/mpeg"
    assert answer.headers["transfer-encoding"] == "chunked"
    assert [piece for _, piece in arrivals] == PIECES  # one by one, not gathered
    assert arrivals[-1][0] - arrivals[0][0] >= 1.5 * GAP


@pytest.mark.parametrize(("retry_after", "header"), [(1.0, "1"), (3, "3"), (2.5, "2.5")])
def test_too_many_is_429_with_retry_after(target: str, retry_after: float, header: str) -> None:
    with FaultProxy(target, Faults(too_many=1, retry_after=retry_after)) as proxy, httpx.Client() as client:
        answer = speak_through(proxy, client)

    assert answer.status_code == 429
    assert answer.headers["retry-after"] == header
    assert answer.json()["detail"]["status"] == "too_many_concurrent_requests"
    assert (proxy.seen[0].fault, proxy.seen[0].status) == ("429", 429)


def test_server_error_is_500_and_the_connection_stays_usable(target: str) -> None:
    with FaultProxy(target, Faults(server_error=1)) as proxy, httpx.Client() as client:
        failed = speak_through(proxy, client)
        proxy.set_faults(Faults())
        passed = speak_through(proxy, client)

    assert failed.status_code == 500
    assert failed.json()["detail"]["status"] == "internal_server_error"
    assert passed.status_code == 200
    assert [(seen.fault, seen.status) for seen in proxy.seen] == [("500", 500), (None, 200)]


def test_a_hung_request_stops_counting_when_the_client_gives_up(target: str) -> None:
    with FaultProxy(target, Faults(hang=1)) as proxy:
        with httpx.Client(timeout=0.2) as client, pytest.raises(httpx.ReadTimeout):
            speak_through(proxy, client, "Never answered.")

        assert proxy.wait_idle(timeout=1)
        assert proxy.max_in_flight == 1
        [seen] = proxy.seen
        assert (seen.fault, seen.status, seen.json) == ("hang", None, {"text": "Never answered."})


def test_stopping_the_proxy_ends_a_hang(target: str) -> None:
    with (FaultProxy(target, Faults(hang=1)) as proxy, ThreadPoolExecutor(1) as pool,
          httpx.Client(timeout=10) as client):
        waiting = pool.submit(speak_through, proxy, client)
        deadline = time.monotonic() + 2
        while proxy.in_flight == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        proxy.stop()
        with pytest.raises(httpx.RemoteProtocolError):
            waiting.result(timeout=5)  # not the client's own 10 s timeout

    assert proxy.in_flight == 0


def test_a_dropped_request_gets_no_answer_at_all(target: str) -> None:
    with FaultProxy(target, Faults(drop=1)) as proxy, httpx.Client() as client:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            speak_through(proxy, client)
        assert proxy.wait_idle(timeout=1)

    assert (proxy.seen[0].fault, proxy.seen[0].status) == ("drop", None)


def test_faults_hit_only_their_paths(target: str) -> None:
    with FaultProxy(target, Faults(server_error=1)) as proxy, httpx.Client() as client:
        listed = client.get(f"{proxy.url}/v1/voices")
        spoken = speak_through(proxy, client)

    assert (listed.status_code, spoken.status_code) == (200, 500)
    assert [seen.fault for seen in proxy.seen] == [None, "500"]


def schedule(target: str, seed: int) -> list[str | None]:
    """The faults of 30 requests in a row, with requests on other paths in between."""
    faults = Faults(too_many=0.3, server_error=0.2, drop=0.1)
    with FaultProxy(target, faults, seed) as proxy, httpx.Client() as client:
        for number in range(30):
            if number % 3 == 0:
                assert client.get(f"{proxy.url}/v1/voices").status_code == 200
            with contextlib.suppress(httpx.RemoteProtocolError):  # the drops
                speak_through(proxy, client)
    return [seen.fault for seen in proxy.seen if seen.path == SPEAK]


def test_the_schedule_follows_the_seed(target: str) -> None:
    first = schedule(target, seed=7)

    assert schedule(target, seed=7) == first
    assert schedule(target, seed=8) != first
    assert {"429", "500", "drop", None} <= set(first)


def test_concurrent_requests_are_counted(proxy: FaultProxy) -> None:
    async def five_at_once() -> list[int]:
        async with httpx.AsyncClient() as client:
            answers = await asyncio.gather(*(
                client.post(f"{proxy.url}{SPEAK}", params={"delay": "0.3"}, json={"text": str(n)})
                for n in range(5)))
        return [answer.status_code for answer in answers]

    assert asyncio.run(five_at_once()) == [200] * 5
    assert proxy.max_in_flight == 5
    assert proxy.in_flight == 0


def test_a_capped_client_that_times_out_hangs_stays_under_its_cap(target: str) -> None:
    async def ten_through_two_connections(proxy: FaultProxy) -> list[object]:
        timeout = httpx.Timeout(0.15, pool=None)
        async with httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=2)) as client:
            return await asyncio.gather(*(
                client.post(f"{proxy.url}{SPEAK}", params={"delay": "0.05"}, json={"text": str(n)})
                for n in range(10)), return_exceptions=True)

    with FaultProxy(target, Faults(hang=0.5), seed=3) as proxy:
        outcomes = asyncio.run(ten_through_two_connections(proxy))
        assert proxy.wait_idle(timeout=1)

    hung = [seen for seen in proxy.seen if seen.fault == "hang"]
    assert 2 <= len(hung) <= 8
    assert sum(isinstance(outcome, httpx.ReadTimeout) for outcome in outcomes) == len(hung)
    assert proxy.max_in_flight == 2
