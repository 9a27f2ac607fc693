"""The official ``elevenlabs`` SDK against a live Voicer over TLS, only ``base_url`` changed."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError
from elevenlabs.realtime_tts import text_chunker

from tests.api.conftest import Server
from tests.audio_tools import decode, decode_as

VOICE = "21m00Tcm4TlvDq8ikWAM"
TEXT = "Hello from Voicer. This sentence is spoken by the local engine."


def test_convert_returns_mp3_at_44100(client: ElevenLabs) -> None:
    audio = decode(b"".join(client.text_to_speech.convert(VOICE, text=TEXT)))
    assert audio.rate == 44_100
    assert 2.0 < audio.duration < 10.0


def test_convert_honours_the_output_format(client: ElevenLabs) -> None:
    pcm = b"".join(client.text_to_speech.convert(VOICE, text=TEXT, output_format="pcm_16000"))
    assert 2.0 < len(pcm) / 32_000 < 10.0


@pytest.mark.parametrize("output_format", ["pcm_32000", "wav_32000"])
def test_convert_speaks_the_32_khz_formats_the_sdk_sends(client: ElevenLabs, output_format: str) -> None:
    data = b"".join(client.text_to_speech.convert(VOICE, text=TEXT, output_format=output_format))
    audio = decode_as(data, output_format)
    assert audio.rate == 32_000 and audio.codec == "pcm_s16le"
    assert 2.0 < audio.duration < 10.0


def test_stream_delivers_the_audio_in_pieces(client: ElevenLabs) -> None:
    pieces = list(client.text_to_speech.stream(VOICE, text=TEXT * 3))
    assert len(pieces) > 1
    audio = decode(b"".join(pieces))
    assert audio.rate == 44_100 and 6.0 < audio.duration < 30.0


def test_convert_with_timestamps_aligns_every_character(client: ElevenLabs) -> None:
    result = client.text_to_speech.convert_with_timestamps(VOICE, text=TEXT)
    audio = decode(base64.b64decode(result.audio_base_64))
    alignment = result.alignment
    assert alignment is not None and result.normalized_alignment is not None
    assert "".join(alignment.characters) == TEXT
    starts, ends = alignment.character_start_times_seconds, alignment.character_end_times_seconds
    assert len(starts) == len(ends) == len(TEXT)
    assert starts == sorted(starts) and all(s <= e for s, e in zip(starts, ends, strict=True))
    assert ends[-1] == pytest.approx(audio.duration, abs=0.05)


def test_stream_with_timestamps_sends_audio_and_alignment_lines(client: ElevenLabs) -> None:
    chunks = list(client.text_to_speech.stream_with_timestamps(VOICE, text=TEXT))
    audio = decode(b"".join(base64.b64decode(c.audio_base_64) for c in chunks if c.audio_base_64))
    characters = [ch for c in chunks if c.alignment for ch in c.alignment.characters]
    ends = [t for c in chunks if c.alignment for t in c.alignment.character_end_times_seconds]
    assert "".join(characters) == TEXT
    assert ends == sorted(ends) and ends[-1] == pytest.approx(audio.duration, abs=0.05)


def test_convert_realtime_over_wss(client: ElevenLabs) -> None:
    def text() -> Iterator[str]:
        yield "Hello from the realtime "
        yield "WebSocket of Voicer. "
        yield "It speaks as the text arrives."

    audio = decode(b"".join(client.text_to_speech.convert_realtime(VOICE, text=text())))
    assert audio.rate == 44_100 and 2.0 < audio.duration < 12.0



def test_a_realtime_conversation_is_one_history_item_of_what_it_spoke(client: ElevenLabs) -> None:
    parts = ["A realtime conversation ", "is kept in the history ", "as one item."]
    before = client.user.subscription.get().character_count
    audio = decode(b"".join(client.text_to_speech.convert_realtime(VOICE, text=iter(parts))))
    after = client.user.subscription.get().character_count
    item = client.history.list(page_size=1).history[0]
    kept = decode(b"".join(client.history.get_audio(item.history_item_id)))

    sent = " " + "".join(text_chunker(iter(parts)))  # the SDK's opening space, then its chunks
    assert item.text == sent and item.voice_id == VOICE
    assert after - before == len(sent) == (item.character_count_change_to
                                           - item.character_count_change_from)
    assert kept.duration == pytest.approx(audio.duration, abs=0.05)

def test_voices_have_names_and_labels(client: ElevenLabs) -> None:
    everything = client.voices.get_all().voices
    assert len(everything) >= 50
    page = client.voices.search(page_size=5, search="rachel")
    assert page.total_count == 1 and page.voices[0].voice_id == VOICE
    rachel = client.voices.get(VOICE)
    assert rachel.name == "Rachel" and rachel.labels and rachel.labels["gender"] == "female"
    first = client.voices.search(page_size=100)
    assert first.has_more and first.next_page_token
    second = client.voices.search(page_size=100, next_page_token=first.next_page_token)
    ids = [v.voice_id for v in first.voices + second.voices]
    assert len(ids) == len(set(ids)) == first.total_count and not second.has_more
    defaults = client.voices.settings.get_default()
    assert (defaults.stability, defaults.similarity_boost) == (0.5, 0.75)


def test_models_list(client: ElevenLabs) -> None:
    models = {m.model_id: m for m in client.models.list()}
    assert {"eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_v3"} <= set(models)
    multilingual = models["eleven_multilingual_v2"]
    assert multilingual.can_do_text_to_speech and multilingual.languages
    assert {lang.language_id for lang in multilingual.languages} >= {"en", "uk", "ru"}


def test_subscription_characters_move_after_a_request(client: ElevenLabs) -> None:
    user = client.user.get()
    before = client.user.subscription.get()
    assert user.user_id and before.character_limit == 200_000
    b"".join(client.text_to_speech.convert(VOICE, text="Count these characters."))
    after = client.user.subscription.get()
    assert after.character_count == before.character_count + len("Count these characters.")


def test_history_lists_what_was_spoken(client: ElevenLabs) -> None:
    b"".join(client.text_to_speech.convert(VOICE, text="Remember this one."))
    history = client.history.list(page_size=5).history
    assert history[0].text == "Remember this one." and history[0].voice_id == VOICE
    item = client.history.get(history[0].history_item_id)
    assert item.character_count_change_to - item.character_count_change_from == len(
        "Remember this one.")
    audio = decode(b"".join(client.history.get_audio(history[0].history_item_id)))
    assert audio.duration > 0.5
    client.history.delete(history[0].history_item_id)
    with pytest.raises(ApiError) as error:
        client.history.get(history[0].history_item_id)
    assert error.value.status_code == 404


def test_a_bad_key_raises_api_error_401(tls_server: Server) -> None:
    with httpx.Client() as connection, pytest.raises(ApiError) as error:
        ElevenLabs(base_url=tls_server.url, api_key="not-a-key",
                   httpx_client=connection).models.list()
    assert error.value.status_code == 401
    assert error.value.body["detail"]["status"] == "invalid_api_key"


def test_a_text_over_the_model_limit_is_refused(client: ElevenLabs) -> None:
    with pytest.raises(ApiError) as error:
        b"".join(client.text_to_speech.convert(VOICE, text="x" * 5_001, model_id="eleven_v3"))
    assert error.value.status_code == 400
    assert "at most 5,000" in str(error.value.body)


def test_an_unknown_voice_is_an_elevenlabs_error(client: ElevenLabs) -> None:
    with pytest.raises(ApiError) as error:
        b"".join(client.text_to_speech.convert("no-such-voice", text="Hi."))
    assert error.value.status_code == 400
    assert error.value.body["detail"]["status"] == "voice_not_found"
