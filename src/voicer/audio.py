"""PCM audio as small frozen values, and the silence arithmetic on it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.int16]

# Samples whose magnitude stays under this (about -42 dBFS) count as silence.
SILENCE_THRESHOLD = 256


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """Signed little-endian PCM: sample rate, bytes per sample, channels."""

    rate: int
    width: int = 2
    channels: int = 1


def speech_bounds(samples: Samples, threshold: int = SILENCE_THRESHOLD) -> tuple[int, int]:
    """Return ``(start, end)`` of the part louder than ``threshold``; ``(0, 0)`` if all silent."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    if loud.size == 0:
        return 0, 0
    return int(loud[0]), int(loud[-1]) + 1


def silence(count: int) -> Samples:
    return np.zeros(count, dtype=np.int16)
