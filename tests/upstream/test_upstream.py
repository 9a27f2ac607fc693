"""The ElevenLabs upstream engine against a second Voicer server playing ElevenLabs,
behind a proxy that misbehaves on a seeded schedule."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Api, Server, make_api
from tests.audio_tools import decode
from tests.upstream.proxy import FaultProxy, Faults, Seen
from voicer.engines import Engine
from voicer.pipeline.pool import default_engine
from voicer.settings import Settings
from voicer.upstream.client import SharedLimit
from voicer.upstream.engine import Upstream
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice, VoiceCatalogue

RACHEL = "21m00Tcm4TlvDq8ikWAM"  # an ElevenLabs premade id: the upstream's when one is configured
SENTENCE = "Chapter {n} begins here, and the story goes on."
CAP = 3


def front(tmp_path: Path, proxy: FaultProxy, key: str, **settings: object) -> Iterator[Api]:
    """The Voicer a user talks to, with the upstream configured through the proxy."""
    defaults: dict[str, object] = {
        "elevenlabs_api_key": key, "elevenlabs_base_url": proxy.url,
        "elevenlabs_concurrency": CAP, "elevenlabs_timeout": 1.5, "elevenlabs_backoff": 0.05,
        "elevenlabs_backoff_cap": 0.4, "requests_per_minute": 10_000,
    }
    yield from make_api(tmp_path, **{**defaults, **settings})


def book(chunks: int) -> str:
    return " ".join(SENTENCE.format(n=n) for n in range(chunks))


def submit(api: Api, headers: dict[str, str], text: str, **body: object) -> str:
    answer = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": text, "voice_id": RACHEL, "split_type": "sentences", "max_chunk_length": 50,
        **body})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["task_id"])


def speech_requests(proxy: FaultProxy) -> list[Seen]:
    return [seen for seen in proxy.seen if seen.path.startswith("/v1/text-to-speech/")]


def test_a_task_completes_through_429s_500s_hangs_and_drops(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    faults = Faults(too_many=0.30, server_error=0.10, hang=0.05, drop=0.05, retry_after=1.0)
    with FaultProxy(upstream.url, faults, seed=7) as proxy:
        for api in front(tmp_path, proxy, upstream_key, elevenlabs_continuity="parallel"):
            headers = api.user()
            task_id = submit(api, headers, book(50))
            status = api.wait(task_id, headers, timeout=240)
            assert status["status"] == "completed", status
            assert status["chunks_total"] == 50
            audio = api.client.get(f"/api/v1/voice/download/{task_id}", headers=headers)
            decoded = decode(audio.content)

    requests = speech_requests(proxy)
    kinds = defaultdict(int)
    for seen in requests:
        kinds[seen.fault] += 1
    # the schedule really misbehaved, about as often as asked
    assert kinds["429"] >= 10 and kinds["500"] >= 3 and kinds["hang"] >= 1 and kinds["drop"] >= 1
    # every chunk was spoken by the upstream exactly once
    spoken = [seen.json["text"] for seen in requests if seen.fault is None and seen.status == 200]
    assert sorted(spoken) == sorted(SENTENCE.format(n=n) for n in range(50))
    assert proxy.max_in_flight <= CAP
    assert proxy.max_in_flight == CAP  # and the cap was used, not just respected
    # Retry-After is honoured: after a 429, the same chunk comes back no sooner than asked
    by_text: dict[str, list[Seen]] = defaultdict(list)
    for seen in requests:
        by_text[seen.json["text"]].append(seen)
    retried = 0
    for tries in by_text.values():
        for first, second in itertools.pairwise(tries):
            if first.fault == "429":
                assert second.arrived - first.arrived >= 1.0 - 0.01
                retried += 1
    assert retried >= 10
    # the merged audio holds 50 spoken chunks: about 2.6 s each at this engine's rate
    assert 50 * 1.5 < decoded.duration < 50 * 5


def test_chunks_carry_their_neighbours_and_the_previous_request_ids(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, upstream_key):  # continuity "ordered", the default
            headers = api.user()
            task_id = submit(api, headers, book(6))
            assert api.wait(task_id, headers)["status"] == "completed"

    requests = speech_requests(proxy)
    texts = [SENTENCE.format(n=n) for n in range(6)]
    assert [seen.json["text"] for seen in requests] == texts  # in order, one at a time
    assert proxy.max_in_flight == 1
    ids = [seen.response_headers["request-id"] for seen in requests]
    assert len(set(ids)) == 6
    for number, seen in enumerate(requests):
        body = seen.json
        assert body.get("previous_text") == (texts[number - 1] if number else None)
        assert body.get("next_text") == (texts[number + 1] if number < 5 else None)
        assert body.get("previous_request_ids", []) == ids[max(0, number - 3):number]
        assert seen.query == "output_format=pcm_24000"  # PCM, so chunks join gaplessly


def test_an_upstream_401_fails_the_task_at_once_and_refunds(
        tmp_path: Path, upstream: Server, caplog: pytest.LogCaptureFixture) -> None:
    bad_key = "sk_" + "f" * 45
    caplog.set_level(logging.DEBUG)
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, bad_key):
            headers = api.user(characters=10_000)
            task_id = submit(api, headers, book(10))
            status = api.wait(task_id, headers)
            stats = api.client.get("/api/v1/user/stats", headers=headers).json()
            metrics = api.client.get("/metrics").text

    assert status["status"] == "failed"
    assert "401" in status["error"] and "invalid_api_key" in status["error"]
    assert len(speech_requests(proxy)) == 1  # not retried
    assert stats["used_characters"] == 0  # every character given back
    # the key never shows: not in the status, the metrics or the logs
    for text in (str(status), metrics, caplog.text):
        assert bad_key not in text and bad_key[3:20] not in text


def test_streams_relay_the_upstream_audio_in_the_format_asked(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    text = "The relay hands on the upstream's own bytes, as they arrive. Nothing is transcoded."
    direct = httpx.post(f"{upstream.url}/v1/text-to-speech/{RACHEL}/stream",
                        params={"output_format": "mp3_22050_32"},
                        headers={"xi-api-key": upstream_key}, json={"text": text}, timeout=60)
    assert direct.status_code == 200
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, upstream_key):
            headers = api.user()
            key = {"xi-api-key": headers["Authorization"].removeprefix("Bearer ")}
            with api.client.stream("POST", f"/v1/text-to-speech/{RACHEL}/stream",
                                   params={"output_format": "mp3_22050_32"}, headers=key,
                                   json={"text": text}) as relayed:
                assert relayed.status_code == 200
                parts = list(relayed.iter_bytes())
                request_id = relayed.headers["request-id"]
            converted = api.client.post(f"/v1/text-to-speech/{RACHEL}", headers=key,
                                        json={"text": text, "previous_request_ids": [request_id]})
            used = api.client.get("/v1/user/subscription", headers=key).json()["character_count"]

    # the upstream's MP3 handed on: same frames, same length (not re-encoded to another rate)
    relayed_audio, direct_audio = decode(b"".join(parts)), decode(direct.content)
    assert relayed_audio.rate == direct_audio.rate == 22_050
    assert relayed_audio.duration == pytest.approx(direct_audio.duration, abs=0.03)
    assert len(b"".join(parts)) == len(direct.content)
    assert relayed.headers["content-type"] == direct.headers["content-type"]
    first = speech_requests(proxy)[0]
    assert first.path == f"/v1/text-to-speech/{RACHEL}/stream"
    assert "output_format=mp3_22050_32" in first.query  # asked of the upstream, not transcoded
    assert request_id == first.response_headers["request-id"]  # usable for stitching upstream
    assert converted.status_code == 200 and decode(converted.content).duration > 1
    assert speech_requests(proxy)[1].json["previous_request_ids"] == [request_id]
    assert used == 2 * len(text)


def test_upstream_voices_are_listed_beside_local_ones_with_their_engine(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, upstream_key):
            key = {"xi-api-key": api.user()["Authorization"].removeprefix("Bearer ")}
            voices = api.client.get("/v2/voices", headers=key,
                                    params={"page_size": 100, "search": "Rachel"}).json()["voices"]
            oksana = api.client.get("/v1/voices/uk-oksana", headers=key).json()
            models = api.client.get("/v1/models", headers=key).json()

    assert [(voice["voice_id"], voice["engine"]) for voice in voices] == [(RACHEL, "elevenlabs")]
    assert oksana["engine"] == "espeak-ng"  # Voicer's own voices stay local
    assert {model["engine"] for model in models} >= {"elevenlabs"}
    assert api.services.upstream is not None and api.services.upstream.concurrency == CAP


def test_the_cap_is_shared_by_every_process_through_redis(
        tmp_path: Path, upstream: Server, upstream_key: str, redis_url: str) -> None:
    """Two upstream engines (as two worker processes would have) with one broker: at most the
    cap in flight at the upstream, all of them together."""
    broker = f"{redis_url}/6"
    with FaultProxy(upstream.url) as proxy:
        settings = Settings(data_dir=tmp_path, elevenlabs_api_key=upstream_key,  # type: ignore[arg-type]
                            elevenlabs_base_url=proxy.url, elevenlabs_concurrency=2,
                            broker_url=broker)
        engines = [Upstream(settings), Upstream(settings)]
        body = {"text": "Every process waits for a slot of the same cap."}

        async def burst(engine: Upstream) -> list[int]:
            answers = await asyncio.gather(*(engine.client.post(
                f"/v1/text-to-speech/{RACHEL}", body, {"output_format": "pcm_16000"})
                for _ in range(5)))
            return [len(answer.content) for answer in answers]

        with ThreadPoolExecutor(2) as threads:
            sizes = list(threads.map(lambda engine: engine.call(burst(engine)), engines))
        for engine in engines:
            engine.close()

    assert all(size > 0 for sizes_of in sizes for size in sizes_of)
    assert len(speech_requests(proxy)) == 10
    assert proxy.max_in_flight == 2


def test_a_shared_slot_held_past_its_lease_is_still_held(redis_url: str) -> None:
    """A slot outlives the lease while its holder lives (a relayed WebSocket holds one for
    minutes): the cap is not exceeded when the counter would have expired."""
    limit = SharedLimit(f"{redis_url}/7", 1, lease=0.3, key=f"test-lease-{time.monotonic_ns()}")

    async def second_slot_within(seconds: float) -> bool:
        try:
            async with asyncio.timeout(seconds), limit.slot():
                return True
        except TimeoutError:
            return False

    async def scenario() -> tuple[bool, bool]:
        async with limit.slot():
            await asyncio.sleep(1.0)  # more than three leases
            while_held = await second_slot_within(0.5)
        return while_held, await second_slot_within(0.5)

    assert asyncio.run(scenario()) == (False, True)


def spoken_seconds(engine: Engine, text: str, voice: Voice) -> float:
    """What any engine, local or upstream, speaks ``text`` as: seconds of audio."""
    pieces = list(engine.synthesize(text, voice, VoiceSettings(), "en"))
    assert pieces and all(piece.audio.rate == engine.format.rate for piece in pieces)
    return sum(len(piece.audio) for piece in pieces) / engine.format.rate


def test_the_upstream_speaks_through_the_same_engine_protocol_as_espeak(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    text = "One protocol for every engine."
    with FaultProxy(upstream.url) as proxy:
        settings = Settings(data_dir=tmp_path, elevenlabs_api_key=upstream_key,  # type: ignore[arg-type]
                            elevenlabs_base_url=proxy.url, elevenlabs_concurrency=1)
        remote = Upstream(settings)
        try:
            rachel = remote.find_voice(RACHEL)
            assert rachel is not None
            far = spoken_seconds(remote, text, rachel)
        finally:
            remote.close()
    near = spoken_seconds(default_engine(), text, VoiceCatalogue.bundled().get("de-klaus"))
    assert remote.format.rate == 24_000
    assert 0.5 * near < far < 2 * near  # a sentence as long as a local engine speaks it
    (request,) = speech_requests(proxy)
    assert request.json["text"] == text and request.json["language_code"] == "en"


def test_sound_generation_is_relayed_to_the_upstream_as_asked(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    body = {"text": "rain on a window", "duration_seconds": 1.5, "loop": True,
            "prompt_influence": 0.6}
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, upstream_key):
            token = api.user(characters=1_000)["Authorization"].removeprefix("Bearer ")
            headers = {"xi-api-key": token}
            answer = api.client.post("/v1/sound-generation", headers=headers, json=body,
                                     params={"output_format": "pcm_16000"})
            left = api.client.get("/v1/user/subscription", headers=headers).json()
    assert answer.status_code == 200, answer.text
    assert len(answer.content) == 2 * round(1.5 * 16_000)  # made by the upstream, in its format
    (seen,) = [request for request in proxy.seen if request.path == "/v1/sound-generation"]
    assert seen.json == body and "output_format=pcm_16000" in seen.query
    assert left["character_count"] == 60
