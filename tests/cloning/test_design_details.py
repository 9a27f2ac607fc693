"""Voice design's details through the official SDK: previews expire, and ``seed``,
``loudness`` and ``guidance_scale`` do what the README says."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import httpx
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError

from tests.api.conftest import Server
from tests.audio_tools import decode, median_pitch
from voicer.loudness import integrated

TEXT = "The gulls were calling over the harbour as the boats came home."
LIFETIME = 10.0  # seconds a preview can be kept, on this test's server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("design-details"),
                    env={"VOICER_VOICE_PREVIEW_SECONDS": str(LIFETIME)})
    server.start()
    yield server
    server.stop()


def sdk(server: Server, connection: httpx.Client) -> ElevenLabs:
    return ElevenLabs(base_url=server.url, api_key=server.token(plan="pro"),
                      httpx_client=connection)


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[ElevenLabs]:
    with httpx.Client(timeout=180) as connection:
        yield sdk(server, connection)


def measured(previews: list) -> list[tuple[float, float]]:  # type: ignore[type-arg]
    """Each preview's median pitch and duration."""
    found = []
    for preview in previews:
        audio = decode(base64.b64decode(preview.audio_base_64))
        found.append((median_pitch(audio.samples, audio.rate), audio.duration))
    return found


def test_the_same_seed_gives_the_same_variants_and_another_seed_others(
        client: ElevenLabs) -> None:
    def design(seed: int) -> list[tuple[float, float]]:
        return measured(client.text_to_voice.design(voice_description="A deep, calm man",
                                                    text=TEXT, seed=seed).previews)

    first, again, other = design(7), design(7), design(1234)
    assert first == again
    assert first != other
    assert max(abs(a[0] - b[0]) / a[0] + abs(a[1] - b[1]) / a[1]
               for a, b in zip(first, other, strict=True)) > 0.01
    bright = measured(client.text_to_voice.design(voice_description="A bright young woman",
                                                  text=TEXT, seed=1234).previews)
    # every seeded variant stays within its description
    assert max(pitch for pitch, _ in first + other) * 1.15 < min(pitch for pitch, _ in bright)


def test_loudness_sets_the_previews_level(client: ElevenLabs) -> None:
    levels = {}
    for loudness in (-1.0, 0.0, 1.0):
        previews = client.text_to_voice.design(voice_description="A calm woman", text=TEXT,
                                               loudness=loudness).previews
        audio = decode(base64.b64decode(previews[1].audio_base_64))
        levels[loudness] = integrated(audio.samples.astype("float64"), audio.rate)
    assert levels[0.0] == pytest.approx(-24, abs=1.5)
    assert levels[-1.0] == pytest.approx(-36, abs=1.5)
    assert levels[1.0] > levels[0.0] + 8


def test_guidance_scale_is_how_far_the_description_moves_the_voice(client: ElevenLabs) -> None:
    def middle(guidance: float) -> float:
        previews = client.text_to_voice.design(voice_description="A high voice", text=TEXT,
                                               guidance_scale=guidance).previews
        return measured(previews)[1][0]

    heart = decode(b"".join(client.text_to_speech.convert("en-us-heart", text=TEXT)))
    neutral = median_pitch(heart.samples, heart.rate)
    loose, described, strict = middle(0), middle(5), middle(20)
    assert loose == pytest.approx(neutral, rel=0.04)  # the description not followed
    assert described > neutral * 1.08
    assert strict > described * 1.08  # followed twice as far


def test_a_preview_expires_and_belongs_to_its_caller(server: Server, client: ElevenLabs) -> None:
    previews = client.text_to_voice.design(voice_description="A deep, calm man",
                                           text=TEXT).previews
    made = time.monotonic()
    with httpx.Client(timeout=60) as connection, pytest.raises(ApiError) as foreign:
        sdk(server, connection).text_to_voice.create(
            voice_name="Not mine", voice_description="A deep, calm man",
            generated_voice_id=previews[0].generated_voice_id)
    assert foreign.value.status_code == 400
    kept = client.text_to_voice.create(voice_name="In time", voice_description="A deep, calm man",
                                       generated_voice_id=previews[1].generated_voice_id)
    assert kept.category == "generated"
    time.sleep(max(0.0, made + LIFETIME + 0.2 - time.monotonic()))
    with pytest.raises(ApiError) as late:
        client.text_to_voice.create(voice_name="Too late", voice_description="A deep, calm man",
                                    generated_voice_id=previews[2].generated_voice_id)
    assert late.value.status_code == 400
    said = str(late.value.body)
    assert "generated_voice_id" in said and "expired" in said and f"{LIFETIME:,.0f} s" in said
