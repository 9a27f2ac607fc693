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


@dataclass(frozen=True, slots=True)
class Audio:
    """Mono s16le samples and the format they are in: audio never travels without its rate."""

    samples: Samples
    format: AudioFormat

    def __post_init__(self) -> None:
        # A float or big-endian array would be silently reinterpreted as noise: refuse it instead.
        if self.samples.dtype != np.dtype("<i2") or self.samples.ndim != 1:
            raise ValueError(f"expected a 1-D int16 array, got {self.samples.ndim}-D "
                             f"{self.samples.dtype}")
        if (self.format.width, self.format.channels) != (2, 1):
            raise ValueError(f"only mono 16-bit audio is supported, not {self.format}")

    @classmethod
    def mono(cls, samples: Samples, rate: int) -> Audio:
        return cls(samples, AudioFormat(rate))

    @classmethod
    def from_bytes(cls, data: bytes, rate: int) -> Audio:
        """Audio from s16le bytes (an odd trailing byte is dropped)."""
        return cls.mono(np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2"), rate)

    @property
    def rate(self) -> int:
        return self.format.rate

    @property
    def duration(self) -> float:
        return len(self.samples) / self.format.rate

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, part: slice) -> Audio:
        return Audio(self.samples[part], self.format)

    def then(self, *others: Audio) -> Audio:
        """This audio followed by ``others``, all in the same format."""
        if any(other.format != self.format for other in others):
            raise ValueError("only audio in the same format can be joined")
        return Audio(np.concatenate([self.samples, *(other.samples for other in others)]),
                     self.format)


def concatenate(pieces: list[Audio], fmt: AudioFormat) -> Audio:
    """Pieces in ``fmt`` as one value; no pieces: no samples."""
    if not pieces:
        return Audio(silence(0), fmt)
    return pieces[0].then(*pieces[1:])


def speech_bounds(samples: Samples, threshold: int = SILENCE_THRESHOLD) -> tuple[int, int]:
    """Return ``(start, end)`` of the part louder than ``threshold``; ``(0, 0)`` if all silent."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    if loud.size == 0:
        return 0, 0
    return int(loud[0]), int(loud[-1]) + 1


def silence(count: int) -> Samples:
    return np.zeros(count, dtype=np.int16)
