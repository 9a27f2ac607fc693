"""The voice changer through the official SDK against a live Voicer: a female voice's speech
comes back with the same words, in a male voice, about as long."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError

from tests.audio_tools import decode, median_pitch
from tests.elevenlabs.conftest import sdk_on
from tests.recognition.speech import ADAM, PARAGRAPH, RACHEL
from voicer.recognition.clip import decode as decode_clip
from voicer.recognition.wer import word_error_rate
from voicer.recognition.whisper import WhisperRecognizer


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, whisper_dir: Path) -> Iterator[ElevenLabs]:
    with sdk_on(tmp_path_factory.mktemp("sts"), {"VOICER_STT_MODEL": str(whisper_dir)}) as (_, client):
        yield client


@pytest.fixture(scope="module")
def female(client: ElevenLabs) -> bytes:
    """PARAGRAPH read by a female voice: the input."""
    return b"".join(client.text_to_speech.convert(RACHEL, text=PARAGRAPH))


def test_the_words_stay_and_the_voice_changes(client: ElevenLabs, female: bytes,
                                              recognizer: WhisperRecognizer) -> None:
    before = client.user.subscription.get().character_count
    changed = b"".join(client.speech_to_speech.convert(
        ADAM, audio=("reading.mp3", female, "audio/mpeg"), output_format="mp3_44100_128"))
    given, made = decode(female), decode(changed)
    assert made.rate == 44_100
    assert made.duration == pytest.approx(given.duration, rel=0.10)
    heard_in = recognizer.recognize(decode_clip(io.BytesIO(female), 600)).text
    heard_out = recognizer.recognize(decode_clip(io.BytesIO(changed), 600)).text
    assert word_error_rate(heard_in, heard_out) <= 0.10
    assert median_pitch(made.samples, made.rate) <= 0.85 * median_pitch(given.samples, given.rate)
    charged = client.user.subscription.get().character_count - before
    assert charged == pytest.approx(len(PARAGRAPH), rel=0.1)  # the words heard


def test_the_stream_and_the_noise_removal(client: ElevenLabs, female: bytes) -> None:
    streamed = b"".join(client.speech_to_speech.stream(
        ADAM, audio=("reading.mp3", female), remove_background_noise=True,
        output_format="pcm_16000"))
    assert len(streamed) / 32_000 == pytest.approx(decode(female).duration, rel=0.10)


def test_silence_and_bad_settings_are_refused(client: ElevenLabs) -> None:
    silent = io.BytesIO()
    import wave

    with wave.open(silent, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(16_000)
        file.writeframes(b"\0" * 32_000)
    before = client.user.subscription.get().character_count
    with pytest.raises(ApiError) as refused:
        b"".join(client.speech_to_speech.convert(ADAM, audio=("silence.wav", silent.getvalue())))
    assert refused.value.status_code == 400 and "no speech" in str(refused.value.body)
    with pytest.raises(ApiError) as refused:
        b"".join(client.speech_to_speech.convert(ADAM, audio=("x.wav", silent.getvalue()),
                                                 voice_settings='{"speed": 3}'))
    assert refused.value.status_code == 400 and "voice_settings" in str(refused.value.body)
    assert client.user.subscription.get().character_count == before
