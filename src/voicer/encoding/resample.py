"""Sample-rate conversion with FFmpeg's swresample (PyAV), piece by piece.

Every encoder resamples here, once, from whatever rate the audio carries to the
rate its format asks for; audio already at that rate passes through untouched.
"""

from __future__ import annotations

import av
import numpy as np

from voicer.audio import Audio, AudioFormat, concatenate

# Samples handed to swresample at once: it holds its own copies of a frame in wider types, so
# a two-minute chunk given whole would cost ~100 MB for the moment it is converted.
_BLOCK = 1 << 16


class Resampler:
    """Converts a stream of audio pieces to ``rate``; ``flush`` hands out what the filter holds.

    A piece at another rate than the one before it ends the first run (flushing it)
    and starts a new one, so a stream may change rates between pieces.
    """

    def __init__(self, rate: int) -> None:
        self.format = AudioFormat(rate)
        self._from: int | None = None  # the input rate of the run in progress
        self._swr: av.AudioResampler | None = None

    def resample(self, audio: Audio) -> Audio:
        if audio.rate != self._from:
            held = self.flush()
            self._start(audio.rate)
            return held.then(self.resample(audio)) if len(held) else self.resample(audio)
        if self._swr is None or len(audio) == 0:
            return Audio(audio.samples, self.format)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(audio.samples).reshape(1, -1),
                                           format="s16", layout="mono")
        frame.sample_rate = audio.rate
        return self._collect(self._swr.resample(frame))

    def flush(self) -> Audio:
        if self._swr is None:
            return Audio(np.zeros(0, np.int16), self.format)
        held = self._collect(self._swr.resample(None))
        self._start(None)
        return held

    def _start(self, rate: int | None) -> None:
        self._from = rate
        needed = rate is not None and rate != self.format.rate
        self._swr = av.AudioResampler(format="s16", layout="mono", rate=self.format.rate) \
            if needed else None

    def _collect(self, frames: list[av.AudioFrame]) -> Audio:
        pieces = [frame.to_ndarray().reshape(-1) for frame in frames]
        samples = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
        return Audio(samples.astype("<i2", copy=False), self.format)


def resample(audio: Audio, rate: int) -> Audio:
    """``audio`` at ``rate``, whole: same duration to within a sample."""
    if audio.rate == rate:
        return audio
    resampler = Resampler(rate)
    pieces = [resampler.resample(audio[start:start + _BLOCK])
              for start in range(0, len(audio), _BLOCK)]
    return concatenate([*pieces, resampler.flush()], resampler.format)
