"""What a voice sounds like, in numbers: its pitch level and range, its brightness and its pace.

Pitch is WORLD's (``pyworld``'s Harvest, which rarely jumps an octave) over the voiced 10 ms
frames;
brightness is the spectral centroid of the frames that carry speech; pace is the length of the
speech from its first sound to its last, and syllables a second when the words are known.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyworld

Floats = npt.NDArray[np.float32]

LOWEST, HIGHEST = 60.0, 500.0  # Hz: the pitch of speaking voices
FRAME = 0.010  # seconds per pitch frame
SILENCE = 0.02  # speech is louder than this (of full scale)
_VOWELS = re.compile(r"[aeiouyàáâäæèéêëìíîïòóôöùúûüœ]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Traits:
    pitch: float  # Hz: the median of the voiced frames
    pitch_low: float  # Hz: their 10th percentile
    pitch_high: float  # Hz: their 90th percentile
    brightness: float  # Hz: the spectral centroid of the speech
    speech_seconds: float  # from the first sound to the last
    syllables_per_second: float | None = None  # when the words said are known

    def as_dict(self) -> dict[str, Any]:
        return {key: round(value, 3) if value is not None else None
                for key, value in asdict(self).items()}


def measure(samples: Floats, rate: int, text: str | None = None) -> Traits:
    """The traits of mono float samples in [-1, 1]; ``text``: what they say, for the pace."""
    start, end = _speech_span(samples)
    seconds = (end - start) / rate
    speech = samples[start:end].astype(np.float64)
    voiced = _pitch_track(speech, rate)
    if voiced.size == 0:
        voiced = np.zeros(1)
    pace = syllables(text) / seconds if text and seconds > 0 else None
    return Traits(float(np.median(voiced)), float(np.percentile(voiced, 10)),
                  float(np.percentile(voiced, 90)), _centroid(speech, rate), seconds, pace)


def syllables(text: str) -> int:
    """About how many syllables ``text`` has: its groups of vowels, at least one a word."""
    return sum(max(1, len(_VOWELS.findall(word))) for word in re.findall(r"\w+", text))


def _speech_span(samples: Floats) -> tuple[int, int]:
    loud = np.flatnonzero(np.abs(samples) > SILENCE * max(float(np.abs(samples).max()), 1e-9))
    return (int(loud[0]), int(loud[-1]) + 1) if loud.size else (0, len(samples))


def _pitch_track(speech: npt.NDArray[np.float64], rate: int) -> npt.NDArray[np.float64]:
    if speech.size < rate * FRAME * 4:
        return np.zeros(0)
    f0, _ = pyworld.harvest(speech, rate, f0_floor=LOWEST, f0_ceil=HIGHEST,
                            frame_period=FRAME * 1000)
    return np.asarray(f0[f0 > 0], dtype=np.float64)


def _centroid(speech: npt.NDArray[np.float64], rate: int) -> float:
    """The mean spectral centroid of the 32 ms frames louder than a tenth of the loudest."""
    size = int(0.032 * rate)
    if speech.size < size:
        return 0.0
    frames = np.lib.stride_tricks.sliding_window_view(speech, size)[::size // 2]
    energy = np.sqrt(np.mean(frames ** 2, axis=1))
    frames = frames[energy > 0.1 * energy.max()]
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(size), axis=1))
    bins = np.fft.rfftfreq(size, 1 / rate)
    centroids = (spectrum @ bins) / np.maximum(spectrum.sum(axis=1), 1e-12)
    return float(np.mean(centroids))
