import numpy as np
import pytest

from tests.audio_tools import decode
from voicer.audio import Audio, speech_bounds
from voicer.encoding.formats import FORMATS
from voicer.encoding.mp3 import DELAY, SegmentEncoder


def speech(samples: np.ndarray, rate: int = 22_050) -> Audio:
    return Audio.mono(samples, rate)


def burst(seconds: float, rate: int = 22_050, seed: int = 0) -> np.ndarray:
    """A loud noise burst: sound from its first sample to its last."""
    noise = np.random.default_rng(seed).uniform(-0.5, 0.5, round(seconds * rate))
    return (noise * 20_000).astype(np.int16)


def tone(seconds: float, rate: int = 22_050) -> np.ndarray:
    """A 440 Hz tone: tonal sound barely pre-echoes, so its onset can be timed."""
    return (np.sin(np.arange(round(seconds * rate)) * 2 * np.pi * 440 / rate) * 16_000).astype(np.int16)


@pytest.mark.parametrize(("rate", "bitrate"), [(44_100, 128), (44_100, 64), (22_050, 32),
                                               (24_000, 48)])
@pytest.mark.parametrize("gap", [0.0, 0.1, 0.37, 1.5])
def test_a_segment_decodes_to_exactly_the_predicted_length(rate: int, bitrate: int, gap: float) -> None:
    segment = SegmentEncoder(FORMATS[f"mp3_{rate}_{bitrate}"]).encode(speech(tone(0.73)), gap)
    decoded = decode(segment.data)
    assert decoded.rate == rate
    assert len(decoded.samples) == segment.samples
    start, _ = decoded.sound_span()
    if bitrate >= 128:
        assert start == pytest.approx(DELAY / rate, abs=0.003)
    else:  # low bitrates pre-echo up to two granules (576 samples each) before a sharp onset
        assert (DELAY - 2 * 576) / rate < start < DELAY / rate + 0.003


def test_joined_segments_decode_cleanly_with_exact_gaps() -> None:
    encoder = SegmentEncoder(FORMATS["mp3_44100_128"])
    gaps = [0.1, 1.5, 0.35, 5.0, 0.0]
    segments = [encoder.encode(speech(burst(0.4 + i / 10, seed=i)), gap) for i, gap in enumerate(gaps)]
    decoded = decode(b"".join(segment.data for segment in segments))
    assert len(decoded.samples) == sum(segment.samples for segment in segments)
    heard = [length for _, length in decoded.gaps(minimum=0.05)]
    assert heard == pytest.approx(gaps[:-1], abs=0.03)
    # nothing after the last chunk but the padding of its final frame
    assert decoded.duration - decoded.sound_span()[1] < 1152 / 44_100 + 0.005


def test_silence_only_chunks_still_make_valid_segments() -> None:
    segment = SegmentEncoder(FORMATS["mp3_44100_128"]).encode(speech(np.zeros(0, dtype=np.int16)), 0.5)
    decoded = decode(segment.data)
    assert len(decoded.samples) == segment.samples
    assert decoded.duration == pytest.approx(0.5, abs=0.014)
    assert speech_bounds((decoded.samples * 32767).astype(np.int16)) == (0, 0)


@pytest.mark.parametrize(("rate", "bitrate"), [(44_100, 128), (22_050, 32), (24_000, 48)])
@pytest.mark.parametrize("gap", [0.0, 0.01])
def test_nothing_at_all_still_makes_a_segment_that_joins(rate: int, bitrate: int, gap: float) -> None:
    # no speech and (almost) no gap: the last chunk of a text that ends in "..."
    encoder = SegmentEncoder(FORMATS[f"mp3_{rate}_{bitrate}"])
    empty = encoder.encode(speech(np.zeros(0, dtype=np.int16)), gap)
    assert len(decode(empty.data).samples) == empty.samples
    spoken = encoder.encode(speech(tone(0.5)), 0.2)
    joined = decode(spoken.data + empty.data)
    assert len(joined.samples) == spoken.samples + empty.samples
