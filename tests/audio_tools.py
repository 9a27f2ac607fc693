"""Measure decoded audio the way a listener hears it: durations and silences."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

# Amplitude (of 1.0) under which a sample is silent: Voicer's own trim threshold, -42 dBFS.
SILENT = 256 / 32_768


# FFmpeg demuxers of the headerless formats, which cannot be probed
RAW_DEMUXERS = {"pcm": "s16le", "ulaw": "mulaw", "alaw": "alaw"}


@dataclass(frozen=True)
class Decoded:
    samples: npt.NDArray[np.float32]
    rate: int
    codec: str = "mp3"

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate

    def gaps(self, minimum: float = 0.05) -> list[tuple[float, float]]:
        """Silent stretches between sounds, ``(start, length)`` in seconds, at least ``minimum`` long."""
        loud = np.flatnonzero(np.abs(self.samples) > SILENT)
        lengths = np.diff(loud) - 1
        found = np.flatnonzero(lengths >= minimum * self.rate)
        return [((loud[i] + 1) / self.rate, lengths[i] / self.rate) for i in found]

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


def decode_as(data: bytes, output_format: str) -> Decoded:
    """Decode audio in an ElevenLabs ``output_format`` (``codec_rate[_kbps]``) with FFmpeg; any
    corrupt packet raises. Headerless formats are read at the rate the name gives."""
    codec, rate = output_format.split("_")[:2]
    if codec in RAW_DEMUXERS:
        options = {"sample_rate": rate, "ch_layout": "mono"}
        container = av.open(io.BytesIO(data), format=RAW_DEMUXERS[codec], options=options)
    else:
        container = av.open(io.BytesIO(data))
    pieces = []
    with container:
        stream = container.streams.audio[0]
        stream.codec_context.options = {"err_detect": "explode"}
        for frame in container.decode(stream):
            assert frame.layout.nb_channels == 1
            scale = 32_768.0 if frame.format.name.startswith("s16") else 1.0
            pieces.append(frame.to_ndarray().reshape(-1).astype(np.float32) / scale)
        samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        return Decoded(samples, stream.codec_context.sample_rate, stream.codec_context.name)


def median_pitch(samples: np.ndarray, rate: int, lowest: float = 60, highest: float = 500) -> float:
    """The median pitch of the voiced 40 ms frames, Hz, by autocorrelation (0 if none)."""
    size = round(0.04 * rate)
    frames = [samples[start:start + size] for start in range(0, len(samples) - size, size // 2)]
    shortest, longest = int(rate / highest), int(rate / lowest)
    pitches = []
    loudest = max((float(np.sqrt(np.mean(frame ** 2))) for frame in frames), default=0.0)
    for frame in frames:
        frame = frame - frame.mean()
        if np.sqrt(np.mean(frame ** 2)) < 0.1 * loudest:
            continue
        correlation = np.correlate(frame, frame, "full")[size - 1:]
        lag = shortest + int(np.argmax(correlation[shortest:longest]))
        if correlation[lag] > 0.4 * correlation[0]:
            pitches.append(rate / lag)
    return float(np.median(pitches)) if pitches else 0.0
