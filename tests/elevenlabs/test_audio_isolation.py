"""Audio isolation through the official SDK against a live Voicer: speech mixed with noise at
5 dB SNR comes back cleaner, measured (SI-SDR, DNSMOS background score), the same length."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError
from speechmos import dnsmos

from tests.api.conftest import Server
from tests.audio_tools import decode
from tests.elevenlabs.conftest import sdk_on
from tests.recognition.speech import PARAGRAPH, wav
from voicer.audio import Audio, concatenate
from voicer.encoding.resample import resample
from voicer.engines.espeak import EspeakEngine
from voicer.voice_settings import VoiceSettings
from voicer.voices import VoiceCatalogue

RATE = 44_100  # of the answer


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, ElevenLabs]]:
    with sdk_on(tmp_path_factory.mktemp("isolation"), {"VOICER_MAX_UPLOAD_BYTES": "4000000"}) as live:
        yield live


@pytest.fixture(scope="module")
def server(live: tuple[Server, ElevenLabs]) -> Server:
    return live[0]


@pytest.fixture(scope="module")
def client(live: tuple[Server, ElevenLabs]) -> ElevenLabs:
    return live[1]


@pytest.fixture(scope="module")
def clean() -> np.ndarray:
    """A paragraph spoken by espeak-ng, at 44.1 kHz, float."""
    engine = EspeakEngine()
    voice = VoiceCatalogue.bundled().get("de-klaus")
    pieces = engine.synthesize(PARAGRAPH, voice, VoiceSettings(), "en")
    audio = concatenate([piece.audio for piece in pieces], engine.format)
    return resample(audio, RATE).samples.astype(np.float64) / 32768


def noisy(clean: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(3)
    noise = rng.standard_normal(len(clean)) + np.sin(2 * np.pi * 120 * np.arange(len(clean)) / RATE)
    noise *= np.sqrt(np.mean(clean ** 2) / np.mean(noise ** 2) / 10 ** (5 / 10))  # 5 dB SNR
    return clean + noise


def aligned(answer: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """The answer shifted by MP3's decoder delay, found by correlation."""
    lag = max(range(0, 3_000), key=lambda shift: float(np.dot(answer[shift:shift + 20_000],
                                                             reference[:20_000])))
    return answer[lag:lag + len(reference)]


def si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    target = np.dot(estimate, reference) / np.dot(reference, reference) * reference
    return float(10 * np.log10(np.dot(target, target) / np.dot(estimate - target, estimate - target)))


def background(samples: np.ndarray) -> float:
    at_16k = resample(Audio.mono((samples * 32767).astype(np.int16), RATE), 16_000).samples
    return float(dnsmos.run(at_16k.astype(np.float32) / 32768, sr=16_000)["bak_mos"])


def used(client: ElevenLabs) -> int:
    return client.user.subscription.get().character_count


@pytest.mark.parametrize("route", ["convert", "stream"])
def test_noise_is_taken_out_of_speech(client: ElevenLabs, clean: np.ndarray, route: str) -> None:
    mixed = noisy(clean)
    upload = ("mixed.wav", io.BytesIO(wav((mixed * 32767).astype(np.int16), RATE)), "audio/wav")
    before = used(client)
    answer = b"".join(getattr(client.audio_isolation, route)(audio=upload))
    decoded = decode(answer)
    assert decoded.rate == RATE
    assert decoded.duration == pytest.approx(len(clean) / RATE, abs=0.06)  # MP3: up to 2 frames
    cleaned = aligned(decoded.samples.astype(np.float64), clean)
    assert si_sdr(cleaned, clean) >= si_sdr(mixed, clean) + 5
    assert background(cleaned) >= background(mixed) + 0.5
    assert used(client) - before == int(np.ceil(len(clean) / RATE * 17))


def test_raw_16_khz_pcm_is_accepted(client: ElevenLabs, clean: np.ndarray) -> None:
    pcm = resample(Audio.mono((noisy(clean) * 32767).astype(np.int16), RATE), 16_000).samples
    answer = b"".join(client.audio_isolation.convert(audio=("raw.pcm", pcm.astype("<i2").tobytes()),
                                                     file_format="pcm_s16le_16"))
    assert decode(answer).duration == pytest.approx(len(clean) / RATE, abs=0.06)


def test_what_is_not_audio_is_refused_and_not_charged(client: ElevenLabs, server: Server) -> None:
    before = used(client)
    with pytest.raises(ApiError) as refused:
        b"".join(client.audio_isolation.convert(audio=("notes.txt", b"not audio " * 100)))
    assert refused.value.status_code == 400 and "audio" in str(refused.value.body)
    too_large = httpx.post(f"{server.url}/v1/audio-isolation", headers={"xi-api-key": "x"},
                           files={"audio": ("big.wav", b"\0" * 4_100_000)})
    assert too_large.status_code == 413
    assert used(client) == before
