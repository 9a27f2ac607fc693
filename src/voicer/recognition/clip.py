"""Uploaded audio, decoded: any container PyAV reads, as 16 kHz mono float32 for recognition.

Decoding stops as soon as the audio runs past the duration cap, so a long file is refused
without being decoded whole; a file PyAV cannot read as audio is refused naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

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


def decode(file: BinaryIO, max_seconds: float, field: str = "file", rate: int = RATE) -> Clip:
    """The audio of ``file`` (any container and codec PyAV reads) as a mono ``Clip`` at ``rate``;
    ``InvalidInput`` naming ``field`` when it is not audio, is silent-empty or is too long."""
    pieces: list[Floats] = []
    decoded = 0
    limit = int(max_seconds * rate)
    try:
        with av.open(file, mode="r") as container:
            if not container.streams.audio:
                raise InvalidInput(field, f"{field} is not audio: it has no audio stream")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    piece = _floats(out)
                    decoded += len(piece)
                    if decoded > limit:
                        raise InvalidInput(field, f"{field} is longer than the limit of "
                                                  f"{max_seconds:,.0f} seconds of audio")
                    pieces.append(piece)
            pieces.extend(_floats(out) for out in resampler.resample(None))
    except (av.FFmpegError, UnicodeDecodeError, ValueError, IndexError):
        raise InvalidInput(field, f"{field} is not audio that can be read (mp3, wav, m4a, ogg, "
                                  "flac, webm, ... any container FFmpeg reads)") from None
    if not pieces:
        raise InvalidInput(field, f"{field} holds no audio samples")
    return Clip(np.concatenate(pieces).astype(np.float32, copy=False), rate)


def _floats(frame: av.AudioFrame) -> Floats:
    return frame.to_ndarray().reshape(-1).astype(np.float32, copy=False)
