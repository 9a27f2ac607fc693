"""Audio tags through the real app on every built-in engine: never heard (a Whisper round
trip), [whisper] measurably softer, [pause] a silence."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest

from tests.api.conftest import Api, make_api
from tests.audio_tools import decode_as
from voicer.recognition.clip import decode
from voicer.recognition.whisper import WhisperRecognizer

VOICES = ["en-us-espeak", "en-us-heart", "en-us-joe"]  # espeak-ng, hibari, Piper


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("cues"), requests_per_minute=10_000)


def spoken(api: Api, voice: str, text: str, output_format: str = "pcm_16000") -> bytes:
    token = api.user(100_000)["Authorization"].split()[1]
    answer = api.client.post(f"/v1/text-to-speech/{voice}?output_format={output_format}",
                             headers={"xi-api-key": token}, json={"text": text})
    assert answer.status_code == 200, answer.text
    return answer.content


def loudness(pcm: bytes) -> float:
    samples = decode_as(pcm, "pcm_16000").samples
    loud = samples[np.abs(samples) > 0.01]
    return float(20 * np.log10(np.sqrt(np.mean(loud ** 2))))


@pytest.mark.parametrize("voice", VOICES)
def test_tags_are_not_heard(api: Api, recognizer: WhisperRecognizer, voice: str) -> None:
    mp3 = spoken(api, voice, "[excited] What a wonderful day! [sighs] But now I am tired. "
                             "[laughs] Good night.", "mp3_22050_32")
    heard = recognizer.recognize(decode(io.BytesIO(mp3), 60), "en").text.lower()
    assert not {"excited", "sighs", "sigh", "laughs"} & set(heard.replace(".", " ").split())
    assert "night" in heard


@pytest.mark.parametrize("voice", VOICES)
def test_a_whisper_is_softer_and_a_pause_is_silent(api: Api, voice: str) -> None:
    text = "I have a secret to tell you tonight."
    assert loudness(spoken(api, voice, f"[whisper] {text}")) <= loudness(spoken(api, voice, text)) - 6
    paused = decode_as(spoken(api, voice, "Breathe in. [long pause] Breathe out."), "pcm_16000")
    assert max(length for _, length in paused.gaps(0.3)) >= 1.5
