"""Measure decoded audio the way a listener hears it: durations and silences."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

WINDOW = 0.005  # seconds per loudness window
SILENT = 0.01  # peak amplitude (of 1.0) under which a window is silent


@dataclass(frozen=True)
class Decoded:
    samples: npt.NDArray[np.float32]
    rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate

    def gaps(self, minimum: float = 0.05) -> list[tuple[float, float]]:
        """Silent stretches between sounds, ``(start, length)`` in seconds, at least ``minimum`` long."""
        size = round(self.rate * WINDOW)
        count = len(self.samples) // size
        peaks = np.abs(self.samples[: count * size]).reshape(count, size).max(axis=1)
        loud = np.flatnonzero(peaks > SILENT)
        if loud.size == 0:
            return []
        found = []
        for before, after in itertools.pairwise(loud):
            length = (after - before - 1) * WINDOW
            if length >= minimum:
                found.append(((before + 1) * WINDOW, length))
        return found

    def sound_span(self) -> tuple[float, float]:
        loud = np.flatnonzero(np.abs(self.samples) > SILENT)
        return loud[0] / self.rate, (loud[-1] + 1) / self.rate


def decode(data: bytes | Path) -> Decoded:
    """Decode MP3 with FFmpeg (PyAV); any corrupt frame raises."""
    source = io.BytesIO(data) if isinstance(data, bytes) else str(data)
    pieces = []
    rate = 0
    with av.open(source, format="mp3") as container:
        container.streams.audio[0].codec_context.options = {"err_detect": "explode"}
        for frame in container.decode(audio=0):
            rate = frame.sample_rate
            pieces.append(frame.to_ndarray().reshape(-1).astype(np.float32))
    return Decoded(np.concatenate(pieces), rate)
