"""Uploaded audio, decoded: any container PyAV reads, as 16 kHz mono float32 for recognition.

Decoding stops as soon as the audio runs past the duration cap, so a long file is refused
without being decoded whole; a file PyAV cannot read as audio is refused naming the field.
Long audio (an hour) is kept as 16-bit samples instead (``decode_long``, a ``LongClip``): half
the memory of float32, each piece made float only when it is recognised; or, read from a file,
decoded as it is heard (``StreamedClip``), holding only the stretch being read.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import av
import numpy as np
import numpy.typing as npt

from voicer.audio import Audio
from voicer.encoding.resample import resample
from voicer.errors import InvalidInput

RATE = 16_000  # what Whisper listens at

Floats = npt.NDArray[np.float32]
Shorts = npt.NDArray[np.int16]


@dataclass(frozen=True, slots=True)
class Clip:
    """Mono float32 samples in [-1, 1], at 16 kHz unless ``rate`` says otherwise."""

    samples: Floats
    rate: int = RATE

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate

    @property
    def length(self) -> int:
        return len(self.samples)

    def floats(self, first: int, last: int) -> Floats:
        """Samples ``first`` to ``last`` (a view)."""
        return self.samples[first:last]

    def cut(self, start: float, end: float) -> Clip:
        return Clip(self.samples[int(start * self.rate):int(end * self.rate)], self.rate)

    def at(self, rate: int) -> Clip:
        """The same audio at ``rate`` (FFmpeg's resampler)."""
        if rate == self.rate:
            return self
        pcm = Audio.mono(self.pcm16(), self.rate)
        return Clip(resample(pcm, rate).samples.astype(np.float32) / 32768.0, rate)

    def pcm16(self) -> Shorts:
        """The samples as 16-bit integers, rounded (those past full scale clipped)."""
        return np.round(np.clip(self.samples, -1, 1) * 32767).astype(np.int16)

    @classmethod
    def from_pcm16(cls, data: bytes) -> Clip:
        """Raw s16le mono at 16 kHz (ElevenLabs' ``file_format=pcm_s16le_16``)."""
        long = LongClip.from_pcm16(data)
        return cls(long.floats(0, long.length))


@dataclass(frozen=True, slots=True)
class LongClip:
    """Mono 16-bit samples, at 16 kHz unless ``rate`` says otherwise: long audio in half the
    memory of a ``Clip`` (an hour: 115 MB, not 230); a piece is made float when it is cut."""

    pcm: Shorts
    rate: int = RATE

    @property
    def duration(self) -> float:
        return len(self.pcm) / self.rate

    @property
    def length(self) -> int:
        return len(self.pcm)

    def floats(self, first: int, last: int) -> Floats:
        """Samples ``first`` to ``last``, as float32 in [-1, 1] (a copy of those only)."""
        return _floats(self.pcm[first:last])

    def cut(self, start: float, end: float) -> Clip:
        return Clip(self.floats(int(start * self.rate), int(end * self.rate)), self.rate)

    @classmethod
    def from_pcm16(cls, data: bytes) -> LongClip:
        """Raw s16le mono at 16 kHz, as it is (no copy)."""
        return cls(np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.int16, copy=False))


class StreamedClip:
    """Audio in a file, decoded forward as it is asked for (16-bit, 16 kHz), holding only the
    stretch being read: an hour costs no copy of itself. Asked for audio behind what it holds,
    it decodes from the start again: cutting an hour into pieces (a pass over its loudness) and
    hearing them in order decodes the file three times (the first pass, here, for its length
    and to refuse what is not audio or too long), a few seconds each for an hour of mp3."""

    def __init__(self, path: Path, max_seconds: float, field: str = "file") -> None:
        self.path, self.max_seconds, self.field = path, max_seconds, field
        self.rate = RATE
        self.length = sum(len(block) for block, _ in self._decoding())
        if not self.length:
            raise InvalidInput(field, f"{field} holds no audio samples")
        self._reader: Generator[tuple[Shorts, int]] | None = None
        self._held: deque[Shorts] = deque()
        self._from = 0  # the sample the first block held starts at
        self._restart()

    @property
    def duration(self) -> float:
        return self.length / self.rate

    def floats(self, first: int, last: int) -> Floats:
        """Samples ``first`` to ``last``, as float32 in [-1, 1]."""
        if first < self._from:
            self._restart()
        held = sum(len(block) for block in self._held)
        while self._reader is not None and self._from + held < last:
            block = next(self._reader, None)
            if block is None:
                break
            self._held.append(block[0])
            held += len(block[0])
            while len(self._held) > 1 and self._from + len(self._held[0]) <= first:
                self._from += len(self._held[0])
                held -= len(self._held.popleft())
        joined = np.concatenate(self._held) if self._held else np.empty(0, np.int16)
        return _floats(joined[max(first - self._from, 0):max(last - self._from, 0)])

    def cut(self, start: float, end: float) -> Clip:
        return Clip(self.floats(int(start * self.rate), int(end * self.rate)), self.rate)

    def _restart(self) -> None:
        if self._reader is not None:
            self._reader.close()  # its file with it
        self._reader, self._held, self._from = self._decoding(), deque(), 0

    def _decoding(self) -> Generator[tuple[Shorts, int]]:
        with self.path.open("rb") as file:
            yield from _blocks(file, self.max_seconds, self.field, RATE, None, np.dtype(np.int16))


class Sound(Protocol):
    """Audio that is cut into pieces before it is heard: a ``Clip`` or a ``LongClip``."""

    @property
    def rate(self) -> int: ...

    @property
    def duration(self) -> float: ...

    @property
    def length(self) -> int: ...

    def floats(self, first: int, last: int) -> Floats: ...

    def cut(self, start: float, end: float) -> Clip: ...


# Headerless output formats, and the FFmpeg demuxer that reads each at a given rate
RAW_DEMUXERS = {"pcm": "s16le", "ulaw": "mulaw", "alaw": "alaw"}


def decode(file: BinaryIO, max_seconds: float, field: str = "file", rate: int = RATE,
           raw: tuple[str, int] | None = None) -> Clip:
    """The audio of ``file`` (any container and codec PyAV reads) as a mono ``Clip`` at ``rate``;
    ``InvalidInput`` naming ``field`` when it is not audio, is silent-empty or is too long.
    ``raw``: headerless audio, (codec, rate) as an output format names them (``pcm``, 16000)."""
    samples = _decoded(file, max_seconds, field, rate, raw, np.dtype(np.float32))
    return Clip(samples.astype(np.float32, copy=False), rate)


def decode_long(file: BinaryIO, max_seconds: float, field: str = "file") -> LongClip:
    """The audio of ``file`` as ``decode`` reads it, kept as 16-bit samples at 16 kHz. Stereo is
    mixed down so that it cannot clip (FFmpeg halves the sum for 16-bit output): 3 dB softer
    than ``decode``'s floats, which recognition and the cuts at pauses do not hear."""
    samples = _decoded(file, max_seconds, field, RATE, None, np.dtype(np.int16))
    return LongClip(samples.astype(np.int16, copy=False))


def _decoded(file: BinaryIO, max_seconds: float, field: str, rate: int,
             raw: tuple[str, int] | None, dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    samples: _Samples | None = None
    for block, expected in _blocks(file, max_seconds, field, rate, raw, dtype):
        if samples is None:
            samples = _Samples(expected, rate, dtype)
        samples.add(block)
    if samples is None or not len(samples):
        raise InvalidInput(field, f"{field} holds no audio samples")
    return samples.array()


def _blocks(file: BinaryIO, max_seconds: float, field: str, rate: int,
            raw: tuple[str, int] | None, dtype: np.dtype[Any],
            ) -> Iterator[tuple[npt.NDArray[Any], int]]:
    """The decoded audio a frame at a time, each with the samples the container says it holds."""
    limit = int(max_seconds * rate)
    demuxer: dict[str, Any] = {} if raw is None else {
        "format": RAW_DEMUXERS[raw[0]], "options": {"sample_rate": str(raw[1]), "ch_layout": "mono"}}
    try:
        with av.open(file, mode="r", **demuxer) as container:
            if not container.streams.audio:
                raise InvalidInput(field, f"{field} is not audio: it has no audio stream")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format=_FORMATS[dtype.name], layout="mono", rate=rate)
            expected, length = _expected(container, limit, rate), 0
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    block = out.to_ndarray().reshape(-1)
                    length += len(block)
                    if length > limit:
                        raise InvalidInput(field, f"{field} is longer than the limit of "
                                                  f"{max_seconds:,.0f} seconds of audio")
                    yield block, expected
            for out in resampler.resample(None):
                yield out.to_ndarray().reshape(-1), expected
    except (av.FFmpegError, UnicodeDecodeError, ValueError, IndexError):
        raise InvalidInput(field, f"{field} is not audio that can be read (mp3, wav, m4a, ogg, "
                                  "flac, webm, ... any container FFmpeg reads)") from None


_FORMATS = {"float32": "flt", "int16": "s16"}  # the resampler's sample format for each dtype


class _Samples:
    """Decoded samples written into one array, sized from the container's duration when it
    says one, doubled when it runs out: an hour's audio is not held twice to be joined."""

    def __init__(self, expected: int, rate: int, dtype: np.dtype[Any]) -> None:
        self._array: npt.NDArray[Any] = np.empty(max(expected, rate), dtype=dtype)
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def add(self, piece: npt.NDArray[Any]) -> None:
        end = self._length + len(piece)
        if end > len(self._array):
            grown = np.empty(max(end, 2 * len(self._array)), dtype=self._array.dtype)
            grown[:self._length] = self._array[:self._length]
            self._array = grown
        self._array[self._length:end] = piece
        self._length = end

    def array(self) -> npt.NDArray[Any]:
        return self._array[:self._length]


def _expected(container: av.container.InputContainer, limit: int, rate: int) -> int:
    """Samples the container says it holds (a little more), at most ``limit`` + 1 s."""
    if not container.duration:
        return rate * 60
    return min(int(container.duration / av.time_base * rate * 1.02) + rate, limit + rate)


def _floats(pcm: Shorts) -> Floats:
    """16-bit samples as float32 in [-1, 1)."""
    return pcm.astype(np.float32) / np.float32(32768.0)
