"""Ordered continuity wherever chunks are spoken: a task resumed after a stop, and tasks spoken
by `voicer worker` processes, stitch each chunk to the request-ids of the three before it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.api.conftest import Api, Server, make_api
from tests.upstream.proxy import FaultProxy, Seen
from tests.upstream.test_upstream import SENTENCE, book, front, speech_requests, submit
from voicer import runtime
from voicer.engines.registry import EngineRegistry
from voicer.pipeline.pool import WorkerPool
from voicer.settings import Settings
from voicer.tasks.execute import TaskExecutor
from voicer.tasks.throughput import ThroughputMeter

# These tests are about the order and stitching of requests, not timeouts: the upstream (a second
# Voicer) loads its neural voice on its first request, which a busy machine can take seconds over.
SPEAKING = 30.0


def check_stitched(requests: list[Seen], chunks: int) -> None:
    """One task's chunk requests: in order, each carrying its neighbours' texts and the
    request-ids of the up to three chunks before it."""
    texts = [SENTENCE.format(n=n) for n in range(chunks)]
    assert [seen.json["text"] for seen in requests] == texts
    ids = [seen.response_headers["request-id"] for seen in requests]
    assert len(set(ids)) == chunks
    for number, seen in enumerate(requests):
        assert seen.json.get("previous_text") == (texts[number - 1] if number else None)
        assert seen.json.get("next_text") == (texts[number + 1] if number < chunks - 1 else None)
        assert seen.json.get("previous_request_ids", []) == ids[max(0, number - 3):number]


def executor(api: Api, pool: WorkerPool) -> TaskExecutor:
    services = api.services
    return TaskExecutor(services.database, services.storage, services.engines.renderers(pool),
                        services.planner.voices, ThroughputMeter({}), services.metrics)


def test_a_resumed_task_is_stitched_to_the_request_ids_it_stored(
        tmp_path: Path, upstream: Server, upstream_key: str, redis_url: str,
        pool: WorkerPool) -> None:
    with FaultProxy(upstream.url) as proxy:
        # with a broker the API only enqueues; this test speaks the task itself, in two runs
        for api in front(tmp_path, proxy, upstream_key, broker_url=f"{redis_url}/12",
                         elevenlabs_timeout=SPEAKING):
            headers = api.user()
            task_id = submit(api, headers, book(6))
            executor(api, pool).run(task_id, should_pause=lambda done: done >= 3)
            assert api.client.get(f"/api/v1/voice/status/{task_id}",
                                  headers=headers).json()["chunks_completed"] == 3
            executor(api, pool).run(task_id)  # resumed, as after a restart
            assert api.wait(task_id, headers)["status"] == "completed"

    check_stitched(speech_requests(proxy), 6)


def test_workers_speak_an_ordered_task_one_chunk_after_another(
        tmp_path: Path, upstream: Server, upstream_key: str, redis_url: str) -> None:
    broker_url = f"{redis_url}/13"
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, upstream_key, broker_url=broker_url):
            env = {**os.environ, "VOICER_DATA_DIR": str(tmp_path), "VOICER_BROKER_URL": broker_url,
                   "VOICER_ELEVENLABS_API_KEY": upstream_key,
                   "VOICER_ELEVENLABS_BASE_URL": proxy.url, "VOICER_ELEVENLABS_CONCURRENCY": "3"}
            # two workers with two threads each: four chunks could be spoken at once
            workers = [subprocess.Popen(
                [sys.executable, "-m", "voicer", "worker", "--processes", "1", "--threads", "2"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True) for _ in range(2)]
            try:
                headers = api.user()
                tasks = [submit(api, headers, book(6)) for _ in range(2)]
                for task_id in tasks:
                    assert api.wait(task_id, headers, timeout=120)["status"] == "completed"
            finally:
                for worker in workers:
                    os.killpg(worker.pid, signal.SIGTERM)
                for worker in workers:
                    worker.wait(timeout=60)

    requests = speech_requests(proxy)
    assert len(requests) == 12  # each chunk spoken once
    # each task one chunk at a time: the two tasks interleave, never more than two at once
    assert proxy.max_in_flight <= 2
    chains = _split(requests)
    assert len(chains) == 2
    for chain in chains:
        check_stitched(chain, 6)


def _split(requests: list[Seen]) -> list[list[Seen]]:
    """The requests of each task, following each chain of request-ids from its first chunk."""
    chains: list[list[Seen]] = []
    for seen in requests:
        stitched = seen.json.get("previous_request_ids")
        if not stitched:
            chains.append([seen])
            continue
        for chain in chains:
            if chain[-1].response_headers["request-id"] == stitched[-1]:
                chain.append(seen)
                break
        else:
            raise AssertionError(f"{seen.json['text']!r} is stitched to no chunk before it")
    return chains


def test_the_server_speaks_upstream_tasks_side_by_side_and_local_ones_meanwhile(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, upstream_key,  # embedded runner, ordered, cap 3
                         elevenlabs_timeout=SPEAKING):
            headers = api.user()
            note = {"text": "Коротка примітка, прочитана тут.", "voice_id": "uk-oksana"}
            # the worker pool started first: the note below then waits for nothing but a worker
            api.wait(api.client.post("/api/v1/voice/synthesize", headers=headers,
                                     json=note).json()["task_id"], headers)
            books = [submit(api, headers, book(8)) for _ in range(3)]
            local = api.client.post("/api/v1/voice/synthesize", headers=headers, json=note)
            finished = [api.wait(task_id, headers, timeout=120) for task_id in books]
            spoken = api.wait(local.json()["task_id"], headers)

    assert {status["status"] for status in [*finished, spoken]} == {"completed"}
    # three ordered tasks at once fill the cap, each still one chunk at a time, stitched
    assert proxy.max_in_flight == 3
    chains = _split(speech_requests(proxy))
    assert len(chains) == 3
    for chain in chains:
        check_stitched(chain, 8)
    # the local engine did not wait for the upstream books
    assert spoken["completed_at"] < min(status["completed_at"] for status in finished)


def test_a_task_keeps_the_engine_it_was_accepted_with(
        tmp_path: Path, upstream: Server, upstream_key: str, redis_url: str) -> None:
    """An operator who configures a key (or removes it) in the middle of a book must not get
    a book read half by one engine and half by another."""
    broker_url = f"{redis_url}/12"  # the API only enqueues; this test speaks the tasks itself

    def half(api: Api, task_id: str, headers: dict[str, str]) -> None:
        executor(api, one).run(task_id, should_pause=lambda done: done >= 2)
        assert api.client.get(f"/api/v1/voice/status/{task_id}",
                              headers=headers).json()["chunks_completed"] == 2

    # one chunk at a time, by whichever local engine speaks the voice (Rachel: hibari)
    local_engines = EngineRegistry(runtime.local_engines(Settings(data_dir=tmp_path))).workers()
    with FaultProxy(upstream.url) as proxy, WorkerPool(1, local_engines) as one:
        for api in make_api(tmp_path, broker_url=broker_url):  # no key yet: all voices local
            headers = api.user()
            local = submit(api, headers, book(4))
            half(api, local, headers)
        for api in front(tmp_path, proxy, upstream_key, broker_url=broker_url):  # a key now
            executor(api, one).run(local)
            assert api.wait(local, headers)["status"] == "completed"
            assert speech_requests(proxy) == []  # its last two chunks stayed local
            upstream_task = submit(api, headers, book(4))  # the same voice, now upstream's
            half(api, upstream_task, headers)
            assert len(speech_requests(proxy)) == 2
        for api in make_api(tmp_path, broker_url=broker_url):  # and the key taken away again
            executor(api, one).run(upstream_task)
            status = api.wait(upstream_task, headers)
            assert len(speech_requests(proxy)) == 2  # nothing spoken locally in its place
            assert status["status"] == "failed"
            assert "needs the elevenlabs engine, which is not configured" in status["error"]
            # the completed book is paid for; the failed one, which delivered nothing, is not
            assert api.client.get("/api/v1/user/stats", headers=headers).json()[
                "remaining_characters"] == 100_000 - len(book(4))
