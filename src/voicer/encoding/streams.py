"""Streaming encoders that really produce each output format, piece by piece.

Every encoder takes audio pieces (at any rate: each is resampled to the
format's rate first) and hands back the encoded bytes that are ready so far,
so a response can start while the text is still being spoken, with memory
independent of the total length.

==========  =============================================================
``mp3``     LAME (:func:`voicer.encoding.mp3.lame_encoder`), one encoder
            per stream, so the pieces join gaplessly
``pcm``     raw s16le
``wav``     the same behind a RIFF header whose sizes say "unknown"
            (0xFFFFFFFF) while streaming; :func:`finalize_wav` fixes them
``ulaw``    raw G.711, FFmpeg's ``pcm_mulaw`` / ``pcm_alaw``
``alaw``
``opus``    ``libopus`` in Ogg, muxed by FFmpeg into a buffer that is
            emptied after every piece
``aac``     AAC in ADTS and FLAC (:mod:`voicer.encoding.muxed`), for the
``flac``    OpenAI speech API
==========  =============================================================
"""

from __future__ import annotations

import io
import struct
from typing import IO, Literal, Protocol

import av

from voicer.audio import Audio, silence
from voicer.encoding.formats import OutputFormat
from voicer.encoding.frames import Frames
from voicer.encoding.mp3 import frame_size, lame_encode, lame_encoder
from voicer.encoding.muxed import MUXED_CODECS, MuxedCodec
from voicer.encoding.resample import Resampler

WAV_HEADER_SIZE = 44
# The RIFF and data sizes of a WAV whose length is not known yet ("as long as the stream").
UNKNOWN_SIZE = 0xFFFF_FFFF
# Ogg pages of at most 250 ms: bytes leave with every sentence-sized piece, and
# the extra page headers cost under 1 kbps.
_OGG_PAGE_US = 250_000
_OPUS_FRAME = 960  # samples of one 20 ms Opus frame: the least a decodable stream holds

RawCodec = Literal["pcm_mulaw", "pcm_alaw"]
# FFmpeg's encoders of G.711
_G711: dict[str, RawCodec] = {"ulaw": "pcm_mulaw", "alaw": "pcm_alaw"}


class StreamEncoder(Protocol):
    """Encodes a stream of audio pieces; single use: ``encode`` any number of times, then ``finish``."""

    def encode(self, audio: Audio) -> bytes:
        """Take a piece at any rate; return the encoded bytes ready so far (maybe b"")."""
        ...

    def finish(self) -> bytes:
        """Flush everything that remains and end the stream."""
        ...


class _Codec(Protocol):
    """An encoder of audio already at its format's rate."""

    def encode(self, audio: Audio) -> bytes: ...
    def finish(self) -> bytes: ...


class Resampled:
    """A :class:`StreamEncoder`: resamples each piece to ``rate``, then hands it to ``codec``."""

    def __init__(self, rate: int, codec: _Codec) -> None:
        self._resampler = Resampler(rate)
        self._codec = codec

    def encode(self, audio: Audio) -> bytes:
        return self._codec.encode(self._resampler.resample(audio))

    def finish(self) -> bytes:
        return self._codec.encode(self._resampler.flush()) + self._codec.finish()


def stream_encoder(fmt: OutputFormat) -> StreamEncoder:
    """A fresh encoder that turns audio at any rate into ``fmt``, one per output stream."""
    return Resampled(fmt.rate, _codec(fmt))


def _codec(fmt: OutputFormat) -> _Codec:
    if fmt.codec == "mp3":
        return Mp3Codec(fmt)
    if fmt.codec == "opus" and fmt.bitrate is not None:
        return OpusCodec(fmt.bitrate)
    if fmt.codec == "wav":
        return WavCodec(fmt.rate)
    if fmt.codec == "pcm":
        return PcmCodec()
    if fmt.codec in _G711:
        return G711Codec(_G711[fmt.codec], fmt.rate)
    if fmt.codec in MUXED_CODECS:
        return MuxedCodec(fmt.codec, fmt.rate, fmt.bitrate)
    raise ValueError(f"no encoder for {fmt}")


class Mp3Codec:
    """CBR MP3 from LAME; no ID3 or Xing header, so bytes flow at once."""

    def __init__(self, fmt: OutputFormat) -> None:
        self._lame = lame_encoder(fmt)
        self._rate = fmt.rate
        self._count = 0  # samples encoded so far

    def encode(self, audio: Audio) -> bytes:
        self._count += len(audio)
        return lame_encode(self._lame, audio)

    def finish(self) -> bytes:
        # A lone frame is too little for FFmpeg to recognise as MP3: an empty stream gets a
        # frame of silence, so it still decodes.
        started = b"" if self._count else self.encode(Audio.mono(silence(frame_size(self._rate)), self._rate))
        return started + bytes(self._lame.flush())


class PcmCodec:
    """Headerless s16le: the samples themselves."""

    def encode(self, audio: Audio) -> bytes:
        return audio.samples.tobytes()

    def finish(self) -> bytes:
        return b""


class G711Codec:
    """Headerless μ-law or A-law from FFmpeg's encoder."""

    def __init__(self, codec: RawCodec, rate: int) -> None:
        self._codec = av.CodecContext.create(codec, "w")
        self._codec.sample_rate = rate
        self._codec.layout = "mono"
        self._codec.format = "s16"
        self._frames = Frames(rate)

    def encode(self, audio: Audio) -> bytes:
        if len(audio) == 0:
            return b""
        return b"".join(bytes(packet) for packet in self._codec.encode(self._frames.frame(audio)))

    def finish(self) -> bytes:
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


class WavCodec:
    """RIFF WAVE: the streaming header, then s16le PCM."""

    def __init__(self, rate: int) -> None:
        self._header = wav_header(rate)

    def encode(self, audio: Audio) -> bytes:
        return self._take_header() + audio.samples.tobytes()

    def finish(self) -> bytes:
        # the header even when nothing was encoded: an empty WAV is still a WAV
        return self._take_header()

    def _take_header(self) -> bytes:
        header, self._header = self._header, b""
        return header



def encode_whole(audio: Audio, fmt: OutputFormat) -> bytes:
    """``audio`` as one whole file in ``fmt``, complete (a WAV with its true sizes)."""
    encoder = stream_encoder(fmt)
    file = io.BytesIO(encoder.encode(audio) + encoder.finish())
    complete_file(fmt, file)
    return file.getvalue()


def complete_file(fmt: OutputFormat, file: IO[bytes]) -> None:
    """What a whole file that ``fmt``'s streaming encoder wrote still needs (opened r+b):
    a WAV's true sizes, which were written as unknown while it streamed; nothing for the rest."""
    if fmt.codec == "wav":
        finalize_wav(file)

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


class OpusCodec:
    """Opus at 48 kHz in Ogg, muxed into a buffer that is handed out and emptied after every piece."""

    def __init__(self, bitrate: int, rate: int = 48_000) -> None:
        self._buffer = io.BytesIO()
        # flush_packets: every finished page goes straight to the buffer, not into FFmpeg's I/O buffer.
        options = {"page_duration": str(_OGG_PAGE_US), "fflags": "+flush_packets"}
        self._container = av.open(self._buffer, "w", format="ogg", options=options)
        # Unconstrained VBR overshot the nominal rate by ~20 % on espeak speech; constrained keeps to it.
        self._stream = self._container.add_stream("libopus", rate=rate, layout="mono",
                                                  options={"vbr": "constrained"})
        self._stream.bit_rate = bitrate * 1000
        self._frames = Frames(rate)
        self._container.start_encoding()  # the Ogg headers leave with the first piece

    def encode(self, audio: Audio) -> bytes:
        if len(audio) > 0:
            self._container.mux(self._stream.encode(self._frames.frame(audio)))
        return self._drain()

    def finish(self) -> bytes:
        if self._frames.count == 0:
            # Ogg Opus without a single audio packet cannot be decoded: give it one silent frame.
            self.encode(Audio.mono(silence(_OPUS_FRAME), self._frames.rate))
        self._container.mux(self._stream.encode(None))
        self._container.close()
        return self._drain()

    def _drain(self) -> bytes:
        data = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return data
