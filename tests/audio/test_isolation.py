"""Noise taken out of speech by the bundled DeepFilterNet3: measured, not assumed."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from voicer import isolation
from voicer.audio import concatenate
from voicer.encoding.resample import resample
from voicer.engines.espeak import EspeakEngine
from voicer.voice_settings import VoiceSettings
from voicer.voices import VoiceCatalogue

TEXT = "The quick brown fox jumps over the lazy dog. A second sentence follows it here."


def speech() -> np.ndarray:
    engine = EspeakEngine()
    voice = VoiceCatalogue.bundled().get("de-klaus")
    audio = concatenate([piece.audio for piece in engine.synthesize(TEXT, voice, VoiceSettings(), "en")],
                        engine.format)
    return resample(audio, isolation.RATE).samples.astype(np.float32) / 32_768


def si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    scale = np.dot(estimate, reference) / np.dot(reference, reference)
    target = scale * reference
    error = estimate - target
    return float(10 * np.log10(np.dot(target, target) / np.dot(error, error)))


@pytest.mark.parametrize("noise_kind", ["white", "hum and hiss"])
def test_speech_in_noise_at_5_db_comes_back_at_least_5_db_cleaner(noise_kind: str) -> None:
    clean = speech()
    rng = np.random.default_rng(7)
    noise = rng.standard_normal(len(clean)).astype(np.float32)
    if noise_kind != "white":
        time = np.arange(len(clean)) / isolation.RATE
        noise = 0.3 * noise + np.sin(2 * np.pi * 100 * time).astype(np.float32)
    noise *= np.sqrt(np.mean(clean ** 2) / np.mean(noise ** 2) / 10 ** (5 / 10))  # 5 dB SNR
    mixed = clean + noise
    cleaned = isolation.isolate(mixed)
    assert len(cleaned) == len(mixed)  # in step with the input: the model's lag taken out
    assert si_sdr(cleaned, clean) >= si_sdr(mixed, clean) + 5


def test_streamed_pieces_of_any_size_give_the_same_audio() -> None:
    clean = speech()[: isolation.RATE * 2]
    whole = isolation.isolate(clean)
    cuts = [0, 1, 481, 5_000, 33_333, len(clean)]
    pieces = (clean[start:end] for start, end in itertools.pairwise(cuts))
    streamed = np.concatenate(list(isolation.isolate_stream(pieces)))
    assert len(streamed) == len(clean)
    assert np.allclose(streamed, whole, atol=1e-6)
