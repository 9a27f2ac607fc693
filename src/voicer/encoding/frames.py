"""Audio pieces as PyAV frames, for FFmpeg's encoders and muxers."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np

from voicer.audio import Audio


class Frames:
    """Wraps pieces in PyAV frames with running timestamps, which FFmpeg's muxers require."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.count = 0  # samples wrapped so far

    def frame(self, audio: Audio) -> av.AudioFrame:
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(audio.samples).reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = self.rate
        frame.time_base = Fraction(1, self.rate)
        frame.pts = self.count
        self.count += len(audio)
        return frame
