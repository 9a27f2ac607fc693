"""Uploaded audio, decoded: any container PyAV reads, as 16 kHz mono float32 for recognition.

Decoding stops as soon as the audio runs past the duration cap, so a long file is refused
without being decoded whole; a file PyAV cannot read as audio is refused naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO

import av
import numpy as np
import numpy.typing as npt

from voicer.audio import Audio
from voicer.encoding.resample import resample
from voicer.errors import InvalidInput

RATE = 16_000  # what Whisper listens at

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Clip:
    """Mono float32 samples in [-1, 1], at 16 kHz unless ``rate`` says otherwise."""

    samples: Floats
    rate: int = RATE

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate

    def cut(self, start: float, end: float) -> Clip:
        return Clip(self.samples[int(start * self.rate):int(end * self.rate)], self.rate)

    def at(self, rate: int) -> Clip:
        """The same audio at ``rate`` (FFmpeg's resampler)."""
        if rate == self.rate:
            return self
        pcm = Audio.mono(np.round(np.clip(self.samples, -1, 1) * 32767).astype(np.int16), self.rate)
        return Clip(resample(pcm, rate).samples.astype(np.float32) / 32768.0, rate)

    @classmethod
    def from_pcm16(cls, data: bytes) -> Clip:
        """Raw s16le mono at 16 kHz (ElevenLabs' ``file_format=pcm_s16le_16``)."""
        samples = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2")
        return cls(samples.astype(np.float32) / 32768.0)


# Headerless output formats, and the FFmpeg demuxer that reads each at a given rate
RAW_DEMUXERS = {"pcm": "s16le", "ulaw": "mulaw", "alaw": "alaw"}


def decode(file: BinaryIO, max_seconds: float, field: str = "file", rate: int = RATE,
           raw: tuple[str, int] | None = None) -> Clip:
    """The audio of ``file`` (any container and codec PyAV reads) as a mono ``Clip`` at ``rate``;
    ``InvalidInput`` naming ``field`` when it is not audio, is silent-empty or is too long.
    ``raw``: headerless audio, (codec, rate) as an output format names them (``pcm``, 16000)."""
    limit = int(max_seconds * rate)
    demuxer: dict[str, Any] = {} if raw is None else {
        "format": RAW_DEMUXERS[raw[0]], "options": {"sample_rate": str(raw[1]), "ch_layout": "mono"}}
    try:
        with av.open(file, mode="r", **demuxer) as container:
            if not container.streams.audio:
                raise InvalidInput(field, f"{field} is not audio: it has no audio stream")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            samples = _Samples(_expected(container, limit, rate), rate)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    samples.add(_floats(out))
                    if len(samples) > limit:
                        raise InvalidInput(field, f"{field} is longer than the limit of "
                                                  f"{max_seconds:,.0f} seconds of audio")
            for out in resampler.resample(None):
                samples.add(_floats(out))
    except (av.FFmpegError, UnicodeDecodeError, ValueError, IndexError):
        raise InvalidInput(field, f"{field} is not audio that can be read (mp3, wav, m4a, ogg, "
                                  "flac, webm, ... any container FFmpeg reads)") from None
    if not len(samples):
        raise InvalidInput(field, f"{field} holds no audio samples")
    return Clip(samples.array(), rate)


class _Samples:
    """Decoded samples written into one array, sized from the container's duration when it
    says one, doubled when it runs out: an hour's audio is not held twice to be joined."""

    def __init__(self, expected: int, rate: int) -> None:
        self._array = np.empty(max(expected, rate), dtype=np.float32)
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def add(self, piece: Floats) -> None:
        end = self._length + len(piece)
        if end > len(self._array):
            grown = np.empty(max(end, 2 * len(self._array)), dtype=np.float32)
            grown[:self._length] = self._array[:self._length]
            self._array = grown
        self._array[self._length:end] = piece
        self._length = end

    def array(self) -> Floats:
        return self._array[:self._length]


def _expected(container: av.container.InputContainer, limit: int, rate: int) -> int:
    """Samples the container says it holds (a little more), at most ``limit`` + 1 s."""
    if not container.duration:
        return rate * 60
    return min(int(container.duration / av.time_base * rate * 1.02) + rate, limit + rate)


def _floats(frame: av.AudioFrame) -> Floats:
    return frame.to_ndarray().reshape(-1).astype(np.float32, copy=False)
