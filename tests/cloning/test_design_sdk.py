"""Voice design through the official SDK: previews whose pitch follows the description, the
chosen one kept as the caller's own voice, and remixes that move it."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError

from tests.api.conftest import Server
from tests.audio_tools import decode, median_pitch

TEXT = ("A quiet harbour at dawn, with the fishing boats coming home one by one and the gulls "
        "calling over the water.")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("design"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[ElevenLabs]:
    with httpx.Client(timeout=180) as connection:
        yield ElevenLabs(base_url=server.url, api_key=server.token(plan="pro"),
                         httpx_client=connection)


def pitches(previews: list) -> list[float]:  # type: ignore[type-arg]
    found = []
    for preview in previews:
        audio = decode(base64.b64decode(preview.audio_base_64))
        assert audio.duration == pytest.approx(preview.duration_secs, abs=0.5)
        found.append(median_pitch(audio.samples, audio.rate))
    return found


def test_previews_follow_the_described_pitch_and_one_is_kept(client: ElevenLabs) -> None:
    deep = client.text_to_voice.design(voice_description="A deep, calm male narrator", text=TEXT)
    high = client.text_to_voice.design(voice_description="A bright, high-pitched young woman",
                                       text=TEXT)
    assert len(deep.previews) == len(high.previews) == 3 and deep.text == TEXT
    low_pitches, high_pitches = pitches(deep.previews), pitches(high.previews)
    assert max(low_pitches) * 1.15 < min(high_pitches)  # every deep one well below every high one
    assert len({p.generated_voice_id for p in deep.previews}) == 3

    chosen = deep.previews[1]
    kept = client.text_to_voice.create(voice_name="Harbour master",
                                       voice_description="A deep, calm male narrator",
                                       generated_voice_id=chosen.generated_voice_id)
    assert kept.category == "generated" and kept.name == "Harbour master"
    spoken = decode(b"".join(client.text_to_speech.convert(kept.voice_id, text=TEXT)))
    assert median_pitch(spoken.samples, spoken.rate) == pytest.approx(low_pitches[1], rel=0.08)
    assert kept.voice_id in {v.voice_id for v in client.voices.search(category="generated").voices}



def test_a_remix_moves_a_voice_as_the_description_says(client: ElevenLabs) -> None:
    heart = decode(b"".join(client.text_to_speech.convert("en-us-heart", text=TEXT)))
    own = median_pitch(heart.samples, heart.rate)
    deeper = client.text_to_voice.remix("en-us-heart", voice_description="Deeper and slower",
                                        text=TEXT)
    higher = client.text_to_voice.remix("en-us-heart", voice_description="A little higher",
                                        text=TEXT)
    assert max(pitches(deeper.previews)) < own < min(pitches(higher.previews))


def test_an_unknown_generated_voice_id_is_refused(client: ElevenLabs) -> None:
    with pytest.raises(ApiError) as refused:
        client.text_to_voice.create(voice_name="X", voice_description="Anything",
                                    generated_voice_id="gen_bm90LWEtZGVzaWdu")
    assert refused.value.status_code == 400
    assert "generated_voice_id" in str(refused.value.body)
