"""Instant voice cloning through the official SDK: a 15 s reference gives a private voice that
speaks near its pitch and pace, everywhere a voice id goes, and that no one else can see."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError
from websockets.sync.client import connect

from tests.api.conftest import Server
from tests.audio_tools import Decoded, decode, decode_as, median_pitch
from tests.cloning.references import PARAGRAPH, reference
from tests.waiting import wait_until
from voicer.engines.hibari import HibariEngine


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("cloning"), env={"VOICER_BASIC_VOICES": "1"})
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def connection() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=180) as client:
        yield client


def sdk(server: Server, connection: httpx.Client, plan: str = "basic") -> ElevenLabs:
    """The official SDK, as a new user."""
    return ElevenLabs(base_url=server.url, api_key=server.token(plan=plan),
                      httpx_client=connection)


@pytest.fixture(scope="module")
def heard() -> tuple[bytes, Decoded]:
    """The reference: hibari's heart moved down to 0.8 of her pitch, speaking faster."""
    return reference("en-us-heart", HibariEngine(), pitch=0.8, pace=1.15)


@pytest.fixture(scope="module")
def key(server: Server) -> str:
    """The owner's token: a pro user."""
    return server.token(plan="pro")


@pytest.fixture(scope="module")
def owner(server: Server, connection: httpx.Client, key: str) -> ElevenLabs:
    return ElevenLabs(base_url=server.url, api_key=key, httpx_client=connection)


@pytest.fixture(scope="module")
def cloned(owner: ElevenLabs, heard: tuple[bytes, Decoded]) -> str:
    wav, samples = heard
    assert 13 < samples.duration < 20
    made = owner.voices.ivc.create(name="Keeper", files=[("keeper.wav", wav, "audio/wav")],
                                   description="my narrator", labels={"accent": "american"})
    assert not made.requires_verification
    return made.voice_id


def pace(audio: Decoded) -> float:
    start, end = audio.sound_span()
    return end - start


def test_the_clone_speaks_near_the_references_pitch_and_pace(
        owner: ElevenLabs, cloned: str, heard: tuple[bytes, Decoded]) -> None:
    _, wanted = heard
    spoken = decode_as(b"".join(owner.text_to_speech.convert(
        cloned, text=PARAGRAPH, output_format="pcm_24000")), "pcm_24000")
    natural = decode_as(b"".join(owner.text_to_speech.convert(
        "en-us-heart", text=PARAGRAPH, output_format="pcm_24000")), "pcm_24000")

    reference_pitch = median_pitch(wanted.samples, wanted.rate)
    assert median_pitch(spoken.samples, spoken.rate) == pytest.approx(reference_pitch, rel=0.10)
    assert pace(spoken) == pytest.approx(pace(wanted), rel=0.15)
    # and it is not simply the base voice: that one is measurably off
    assert abs(median_pitch(natural.samples, natural.rate) / reference_pitch - 1) > 0.12


def test_the_clone_is_listed_to_its_owner_as_cloned_and_approximate(
        owner: ElevenLabs, cloned: str) -> None:
    voice = owner.voices.get(cloned)
    assert voice.category == "cloned" and voice.name == "Keeper"
    assert voice.labels is not None and voice.labels["approximate"] == "true"
    assert voice.labels["accent"] == "american"
    assert voice.description is not None and "my narrator" in voice.description
    assert "Approximate" in voice.description
    assert cloned in {v.voice_id for v in owner.voices.get_all().voices}
    found = owner.voices.search(category="cloned")
    assert [v.voice_id for v in found.voices] == [cloned]


def test_another_user_cannot_see_or_use_the_clone(server: Server, connection: httpx.Client,
                                                  cloned: str) -> None:
    other = sdk(server, connection)
    with pytest.raises(ApiError) as got:
        other.voices.get(cloned)
    assert got.value.status_code == 404
    assert cloned not in {v.voice_id for v in other.voices.get_all().voices}
    assert other.voices.search(category="cloned").voices == []
    with pytest.raises(ApiError) as used:
        b"".join(other.text_to_speech.convert(cloned, text="Hello there."))
    assert used.value.body["detail"]["status"] == "voice_not_found"
    for call in (lambda: other.voices.delete(cloned),
                 lambda: other.voices.update(cloned, name="Mine now")):
        with pytest.raises(ApiError) as changed:
            call()
        assert changed.value.status_code == 404


def test_the_clone_speaks_in_a_task_a_websocket_and_the_voice_api(
        server: Server, key: str, cloned: str, heard: tuple[bytes, Decoded]) -> None:
    bearer = {"Authorization": f"Bearer {key}"}
    wanted = median_pitch(heard[1].samples, heard[1].rate)
    text = "He lit the lamp, wound the clock, and wrote a line in his book about the weather."

    created = httpx.post(f"{server.url}/api/v1/voice/synthesize", headers=bearer,
                         json={"text": text, "voice_id": cloned})
    assert created.status_code == 200, created.text
    status = ended(f"{server.url}/api/v1/voice/status/{created.json()['task_id']}", bearer)
    assert status["status"] == "completed", status
    task = decode(httpx.get(status["download_url"], headers=bearer).content)

    address = f"ws://127.0.0.1:{server.port}/v1/text-to-speech/{cloned}/stream-input"
    with connect(address, additional_headers={"xi-api-key": key}) as ws:
        for part in (" ", text, ""):
            ws.send(json.dumps({"text": part}))
        answers = [json.loads(message) for message in ws]
    streamed = decode(b"".join(base64.b64decode(a["audio"]) for a in answers if a.get("audio")))

    submitted = httpx.post(f"{server.url}/v1/tts", headers=bearer,
                           json={"text": text, "model_ids": [cloned]}).json()
    done = ended(f"{server.url}/v1/tts/{submitted['task_id']}", bearer)
    assert done["status"] == "succeeded", done
    voice_api = decode(httpx.get(f"{server.url}/v1/tts/{submitted['task_id']}/audio",
                                 headers=bearer).content)

    for audio in (task, streamed, voice_api):
        assert audio.duration > 2
        assert median_pitch(audio.samples, audio.rate) == pytest.approx(wanted, rel=0.10)


def ended(url: str, headers: dict[str, str]) -> dict[str, Any]:
    def look() -> dict[str, Any] | None:
        status: dict[str, Any] = httpx.get(url, headers=headers).json()
        return None if status["status"] in ("pending", "processing") else status

    return wait_until(look, 120, f"{url} to end", every=0.2)


def test_a_reference_too_short_is_refused_naming_the_limit(
        server: Server, connection: httpx.Client) -> None:
    short, _ = reference("en-us-heart", HibariEngine(), 1.0, 1.0, "A few words only.")
    with pytest.raises(ApiError) as refused:
        sdk(server, connection).voices.ivc.create(name="Short",
                                                  files=[("short.wav", short, "audio/wav")])
    assert refused.value.status_code == 400
    assert "at least 10 seconds" in json.dumps(refused.value.body)


def test_the_plan_limits_how_many_voices_a_user_keeps(
        server: Server, connection: httpx.Client, heard: tuple[bytes, Decoded]) -> None:
    owner = sdk(server, connection)  # basic: one voice here
    owner.voices.ivc.create(name="Mine", files=[("r.wav", heard[0], "audio/wav")])
    with pytest.raises(ApiError) as over:
        owner.voices.ivc.create(name="One too many", files=[("r.wav", heard[0], "audio/wav")])
    assert over.value.status_code == 403
    assert "keeps 1 own voices" in json.dumps(over.value.body)
