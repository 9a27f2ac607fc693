"""Sound effects through the official SDK against a live Voicer, with no upstream: Voicer's
own procedural sounds, exactly as long as asked, looping without a click."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError

from tests.audio_tools import decode, decode_as
from tests.elevenlabs.conftest import sdk_on
from voicer import sounds


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ElevenLabs]:
    with sdk_on(tmp_path_factory.mktemp("sounds")) as (_, client):
        yield client


def used(client: ElevenLabs) -> int:
    return client.user.subscription.get().character_count


def sound(client: ElevenLabs, text: str, output_format: str = "pcm_48000", **options: object) -> bytes:
    return b"".join(client.text_to_sound_effects.convert(text=text, output_format=output_format,
                                                         **options))  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["Gentle rain on a tin roof", "ocean waves on the shore",
                                  "a Tibetan singing bowl", "pink noise"])
def test_a_sound_is_exactly_as_long_as_asked_and_charged_by_the_second(
        client: ElevenLabs, text: str) -> None:
    before = used(client)
    audio = decode_as(sound(client, text, duration_seconds=2.5), "pcm_48000")
    assert audio.rate == 48_000 and len(audio.samples) == 120_000
    assert np.sqrt(np.mean(audio.samples ** 2)) > 0.01  # not silence
    assert used(client) - before == 100  # 2.5 s × 40 characters


def test_a_loop_joins_its_end_to_its_start_without_a_click(client: ElevenLabs) -> None:
    for text in ("steady rain", "wind in the trees", "wind chimes"):
        samples = decode_as(sound(client, text, duration_seconds=3.0, loop=True), "pcm_48000").samples
        steps = np.abs(np.diff(samples))
        seam = abs(float(samples[0]) - float(samples[-1]))
        assert seam <= np.percentile(steps, 99.9), text
        # a sound that does not loop fades in and out instead
        once = decode_as(sound(client, text, duration_seconds=3.0), "pcm_48000").samples
        assert abs(once[0]) < 1e-3 and abs(once[-1]) < 1e-3


def test_mp3_and_the_sounds_own_length(client: ElevenLabs, tmp_path: Path) -> None:
    audio = decode(sound(client, "a bell rings", output_format="mp3_44100_128"))
    assert audio.rate == 44_100
    bell = next(s.seconds for s in sounds.SOUNDS if s.name == "bell")
    # MP3 decodes to whole frames after LAME's delay: up to two frames (52 ms) more
    assert bell <= audio.duration <= bell + 2 * 1152 / 44_100


def test_the_same_prompt_gives_the_same_sound(client: ElevenLabs) -> None:
    first = sound(client, "brown noise for sleep", duration_seconds=1.0)
    assert sound(client, "brown noise for sleep", duration_seconds=1.0) == first
    assert sound(client, "pink noise for sleep", duration_seconds=1.0) != first


@pytest.mark.parametrize(("options", "field"), [
    ({"text": "a dragon roars over a burning castle"}, "text"),
    ({"text": "rain", "duration_seconds": 31}, "duration_seconds"),
    ({"text": "rain", "duration_seconds": 0.2}, "duration_seconds"),
])
def test_what_cannot_be_made_is_refused_and_not_charged(
        client: ElevenLabs, options: dict[str, object], field: str) -> None:
    before = used(client)
    with pytest.raises(ApiError) as refused:
        sound(client, **options)  # type: ignore[arg-type]
    assert refused.value.status_code in (400, 422)
    assert field in str(refused.value.body)
    if field == "text":
        assert "rain" in str(refused.value.body) and "singing bowl" in str(refused.value.body)
    assert used(client) == before
