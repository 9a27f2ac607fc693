"""The ElevenLabs ``output_format`` names, and streaming encoders that really produce each one.

Every encoder takes the engine's mono int16 PCM piece by piece and hands back
the encoded bytes that are ready so far, so a response can start while the
text is still being spoken, with memory independent of the total length.

==========  =============================================================
``mp3``     LAME (``lameenc``), CBR, resampled by LAME; one encoder per
            stream, so the pieces join gaplessly
``pcm``     raw s16le, resampled by FFmpeg's swresample (PyAV)
``wav``     the same behind a RIFF header whose sizes say "unknown"
            (0xFFFFFFFF) while streaming; :func:`finalize_wav` fixes them
``ulaw``    raw G.711 at 8 kHz, FFmpeg's ``pcm_mulaw`` / ``pcm_alaw``
``alaw``
``opus``    ``libopus`` at 48 kHz in Ogg, muxed by FFmpeg into a buffer
            that is emptied after every piece
==========  =============================================================
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from fractions import Fraction
from typing import IO, Literal, Protocol

import av
import lameenc
import numpy as np

from voicer.audio import Samples
from voicer.encoding.mp3 import QUALITY
from voicer.errors import InvalidInput

ENGINE_RATE = 22_050
OPUS_RATE = 48_000
WAV_HEADER_SIZE = 44
# The RIFF and data sizes of a WAV whose length is not known yet ("as long as the stream").
UNKNOWN_SIZE = 0xFFFF_FFFF
# Ogg pages of at most 250 ms: bytes leave with every sentence-sized piece, and
# the extra page headers cost under 1 kbps.
_OGG_PAGE_US = 250_000
_OPUS_FRAME = 960  # samples of one 20 ms Opus frame: the least a decodable stream holds

_MEDIA_TYPES = {
    "mp3": "audio/mpeg",
    "pcm": "audio/pcm",
    "wav": "audio/wav",
    "ulaw": "audio/basic",
    "alaw": "audio/x-alaw-basic",
    "opus": "audio/ogg",
}
RawCodec = Literal["pcm_s16le", "pcm_mulaw", "pcm_alaw"]
# FFmpeg's encoders of the headerless formats (WAV puts a header before pcm_s16le).
_RAW_CODECS: dict[str, RawCodec] = {"pcm": "pcm_s16le", "ulaw": "pcm_mulaw", "alaw": "pcm_alaw"}


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """One ``output_format``: codec, output sample rate and, for lossy codecs, kbps."""

    name: str
    codec: str
    rate: int
    bitrate: int | None = None

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self.codec]

    @property
    def extension(self) -> str:
        return "ogg" if self.codec == "opus" else self.codec


def _format(codec: str, rate: int, bitrate: int | None = None) -> OutputFormat:
    name = f"{codec}_{rate}" if bitrate is None else f"{codec}_{rate}_{bitrate}"
    return OutputFormat(name, codec, rate, bitrate)


_MP3 = ((22_050, 32), (24_000, 48), (44_100, 32), (44_100, 64), (44_100, 96), (44_100, 128), (44_100, 192))
_PCM_RATES = (8_000, 16_000, 22_050, 24_000, 44_100, 48_000)

FORMATS: dict[str, OutputFormat] = {
    fmt.name: fmt
    for fmt in (
        *(_format("mp3", rate, bitrate) for rate, bitrate in _MP3),
        *(_format("pcm", rate) for rate in _PCM_RATES),
        *(_format("wav", rate) for rate in _PCM_RATES),
        _format("ulaw", 8_000),
        _format("alaw", 8_000),
        *(_format("opus", OPUS_RATE, bitrate) for bitrate in (32, 64, 96, 128, 192)),
    )
}


def parse_format(name: str) -> OutputFormat:
    """The format called ``name``; :class:`InvalidInput` naming the supported ones otherwise."""
    try:
        return FORMATS[name]
    except KeyError:
        message = f"unknown output_format {name!r}; supported: {', '.join(FORMATS)}"
        raise InvalidInput("output_format", message) from None


class StreamEncoder(Protocol):
    """Encodes a stream of PCM pieces; single use: ``encode`` any number of times, then ``finish``."""

    def encode(self, samples: Samples) -> bytes:
        """Take mono int16 samples at the input rate; return the encoded bytes ready so far (maybe b"")."""
        ...

    def finish(self) -> bytes:
        """Flush everything that remains and end the stream."""
        ...


def stream_encoder(fmt: OutputFormat, in_rate: int = ENGINE_RATE) -> StreamEncoder:
    """A fresh encoder that turns ``in_rate`` PCM into ``fmt``, one per output stream."""
    if fmt.codec == "mp3" and fmt.bitrate is not None:
        return Mp3Stream(fmt.rate, fmt.bitrate, in_rate)
    if fmt.codec == "opus" and fmt.bitrate is not None:
        return OpusStream(fmt.bitrate, in_rate)
    if fmt.codec == "wav":
        return WavStream(fmt.rate, in_rate)
    if fmt.codec in _RAW_CODECS:
        return RawStream(_RAW_CODECS[fmt.codec], fmt.rate, in_rate)
    raise ValueError(f"no encoder for {fmt}")


def _checked(samples: Samples) -> Samples:
    # A float or big-endian array would be silently reinterpreted as noise: refuse it instead.
    if samples.dtype != np.dtype("<i2") or samples.ndim != 1:
        raise ValueError(f"expected a 1-D int16 array, got {samples.ndim}-D {samples.dtype}")
    return samples


class _Frames:
    """Wraps pieces in PyAV frames with running timestamps, which FFmpeg's muxers require."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.count = 0  # samples wrapped so far

    def frame(self, samples: Samples) -> av.AudioFrame:
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples).reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = self.rate
        frame.time_base = Fraction(1, self.rate)
        frame.pts = self.count
        self.count += len(samples)
        return frame


class Mp3Stream:
    """CBR MP3 from LAME, which also resamples; no ID3 or Xing header, so bytes flow at once."""

    def __init__(self, rate: int, bitrate: int, in_rate: int = ENGINE_RATE) -> None:
        self._lame = lameenc.Encoder()
        self._lame.set_bit_rate(bitrate)
        self._lame.set_in_sample_rate(in_rate)
        self._lame.set_out_sample_rate(rate)
        self._lame.set_channels(1)
        self._lame.set_quality(QUALITY)

    def encode(self, samples: Samples) -> bytes:
        # lameenc takes bytes only, not a memoryview of the array
        return bytes(self._lame.encode(_checked(samples).tobytes()))

    def finish(self) -> bytes:
        # lameenc starts LAME on the first encode() and refuses to flush an encoder never started
        started = self._lame.encode(b"")
        return bytes(started + self._lame.flush())


class RawStream:
    """Headerless PCM or G.711 from an FFmpeg encoder, whose built-in swresample does the rate."""

    def __init__(self, codec: RawCodec, rate: int, in_rate: int = ENGINE_RATE) -> None:
        self._codec = av.CodecContext.create(codec, "w")
        self._codec.sample_rate = rate
        self._codec.layout = "mono"
        self._codec.format = "s16"
        self._frames = _Frames(in_rate)

    def encode(self, samples: Samples) -> bytes:
        if len(_checked(samples)) == 0:
            return b""
        return b"".join(bytes(packet) for packet in self._codec.encode(self._frames.frame(samples)))

    def finish(self) -> bytes:
        # None drains the resampler's filter delay too, so the output has the full input length.
        return b"".join(bytes(packet) for packet in self._codec.encode(None))


def wav_header(rate: int, data_size: int = UNKNOWN_SIZE) -> bytes:
    """The 44-byte header of a mono s16le WAV; the default size means "until the end of the stream"."""
    riff_size = UNKNOWN_SIZE if data_size == UNKNOWN_SIZE else data_size + WAV_HEADER_SIZE - 8
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", riff_size, b"WAVE",
        b"fmt ", 16, 1, 1, rate, rate * 2, 2, 16,  # PCM, mono, byte rate, block align, bits
        b"data", data_size,
    )


class WavStream:
    """RIFF WAVE: the streaming header, then s16le PCM."""

    def __init__(self, rate: int, in_rate: int = ENGINE_RATE) -> None:
        self._pcm = RawStream("pcm_s16le", rate, in_rate)
        self._header = wav_header(rate)

    def encode(self, samples: Samples) -> bytes:
        return self._take_header() + self._pcm.encode(samples)

    def finish(self) -> bytes:
        # the header even when nothing was encoded: an empty WAV is still a WAV
        return self._take_header() + self._pcm.finish()

    def _take_header(self) -> bytes:
        header, self._header = self._header, b""
        return header


def finalize_wav(file: IO[bytes]) -> None:
    """Write the true sizes into a WAV the streaming encoder wrote at the start of ``file`` (opened r+b)."""
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    header = file.read(WAV_HEADER_SIZE)
    if len(header) < WAV_HEADER_SIZE or header[:4] != b"RIFF" or header[8:16] != b"WAVEfmt " \
            or header[36:40] != b"data":
        raise ValueError("not a WAV written by the streaming WAV encoder")
    data_size = size - WAV_HEADER_SIZE
    # Over 4 GiB the sizes cannot be written: the "unknown" markers remain, which readers accept.
    if data_size + WAV_HEADER_SIZE - 8 < UNKNOWN_SIZE:
        file.seek(4)
        file.write(struct.pack("<I", data_size + WAV_HEADER_SIZE - 8))
        file.seek(40)
        file.write(struct.pack("<I", data_size))
    file.seek(0, io.SEEK_END)


class OpusStream:
    """Opus at 48 kHz in Ogg, muxed into a buffer that is handed out and emptied after every piece."""

    def __init__(self, bitrate: int, in_rate: int = ENGINE_RATE) -> None:
        self._buffer = io.BytesIO()
        # flush_packets: every finished page goes straight to the buffer, not into FFmpeg's I/O buffer.
        options = {"page_duration": str(_OGG_PAGE_US), "fflags": "+flush_packets"}
        self._container = av.open(self._buffer, "w", format="ogg", options=options)
        # Unconstrained VBR overshot the nominal rate by ~20 % on espeak speech; constrained keeps to it.
        self._stream = self._container.add_stream("libopus", rate=OPUS_RATE, layout="mono",
                                                  options={"vbr": "constrained"})
        self._stream.bit_rate = bitrate * 1000
        self._frames = _Frames(in_rate)
        self._container.start_encoding()  # the Ogg headers leave with the first piece

    def encode(self, samples: Samples) -> bytes:
        if len(_checked(samples)) > 0:
            self._container.mux(self._stream.encode(self._frames.frame(samples)))
        return self._drain()

    def finish(self) -> bytes:
        if self._frames.count == 0:
            # Ogg Opus without a single audio packet cannot be decoded: give it one silent frame.
            silent = np.zeros(_OPUS_FRAME * self._frames.rate // OPUS_RATE, dtype=np.int16)
            self._container.mux(self._stream.encode(self._frames.frame(silent)))
        self._container.mux(self._stream.encode(None))
        self._container.close()
        return self._drain()

    def _drain(self) -> bytes:
        data = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return data
