"""Loudness measured per ITU-R BS.1770-4, and audio brought to a target under a true-peak ceiling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.pipeline.texts import english
from voicer.audio import Audio
from voicer.engines.espeak import EspeakEngine
from voicer.errors import InvalidInput
from voicer.loudness import PRESETS, LoudnessTarget, integrated, normalized, target, true_peak
from voicer.voice_settings import VoiceSettings
from voicer.voices import VoiceCatalogue


def sine(rate: int, seconds: float, level: float = 1.0, frequency: float = 997.0) -> np.ndarray:
    return level * np.sin(2 * np.pi * frequency * np.arange(round(rate * seconds)) / rate)


@pytest.mark.parametrize("rate", [48_000, 44_100, 24_000, 22_050])
def test_a_full_scale_997_hz_sine_measures_minus_3_01_lufs(rate: int) -> None:
    # BS.1770-4: a 0 dBFS 1 kHz sine in one channel reads -3.01 LKFS
    assert integrated(sine(rate, 5), rate) == pytest.approx(-3.01, abs=0.05)
    assert integrated(sine(rate, 5, 0.1), rate) == pytest.approx(-23.01, abs=0.05)


def test_silence_between_sounds_is_gated_out() -> None:
    rate = 24_000
    gapped = np.concatenate([sine(rate, 3, 0.1), np.zeros(rate * 10), sine(rate, 3, 0.1)])
    # (the blocks that straddle an edge, partly silent, pass the gates and weigh a little)
    assert integrated(gapped, rate) == pytest.approx(-23.01, abs=0.3)
    assert integrated(np.zeros(rate), rate) == -math.inf


def test_true_peak_sees_the_peaks_between_the_samples() -> None:
    # a quarter-rate sine sampled at 45 degrees: every sample is at 0.707 of the peak
    rate = 48_000
    samples = np.sin(2 * np.pi * (rate / 4) * np.arange(rate) / rate + np.pi / 4)
    assert 20 * math.log10(np.max(np.abs(samples))) == pytest.approx(-3.01, abs=0.01)
    assert true_peak(samples) == pytest.approx(0.0, abs=0.2)


@pytest.mark.parametrize("goal", [LoudnessTarget(), PRESETS["acx"], PRESETS["broadcast"]])
def test_speech_is_brought_to_the_target_under_the_ceiling(engine: EspeakEngine,
                                                           goal: LoudnessTarget) -> None:
    voice = VoiceCatalogue.bundled().get("en-us-espeak")
    pieces = list(engine.synthesize(english(300), voice, VoiceSettings(), None))
    speech = Audio.mono(np.concatenate([piece.audio.samples for piece in pieces]),
                        pieces[0].audio.rate)
    for level in (0.1, 1.0):  # quiet and loud takes of the same speech
        taken = Audio.mono((speech.samples * level).astype(np.int16), speech.rate)
        made = normalized(taken, goal).samples / 32_768
        assert integrated(made, speech.rate) == pytest.approx(goal.integrated, abs=0.1)
        assert true_peak(made) <= goal.true_peak


def test_a_request_names_a_target_a_preset_or_off() -> None:
    assert target(-14.0) == LoudnessTarget(integrated=-14.0, true_peak=-1.0)
    assert target("acx") == LoudnessTarget(integrated=-20.0, true_peak=-3.0)
    assert target("audiobook", -2.0) == LoudnessTarget(integrated=-18.0, true_peak=-2.0)
    assert target("off") is None
    with pytest.raises(InvalidInput) as refused:
        target("loud")
    assert refused.value.field == "loudness" and "acx" in refused.value.message
