"""AAC and FLAC, encoded and muxed by FFmpeg piece by piece, for the OpenAI speech API.

``aac``   AAC-LC in ADTS frames: each frame carries its own header, so a stream can be
          played from any point and joined as it arrives
``flac``  FLAC in its native container; the total length and checksum are left "unknown"
          in the stream header (the muxer only fills them in by seeking back, which a
          stream cannot), as FLAC allows for streams
"""

from __future__ import annotations

import av

from voicer.audio import Audio, silence
from voicer.encoding.frames import Frames

# The muxer and encoder of each codec here, by the codec's name in ``OutputFormat``.
_MUXED = {"aac": ("adts", "aac"), "flac": ("flac", "flac")}
MUXED_CODECS = frozenset(_MUXED)
_LEAST = 1024  # samples: an AAC frame, the least a decodable stream holds


class _Sink:
    """A write-only file for FFmpeg: what the muxer wrote since the last ``drain``. Having no
    ``seek``, it tells FFmpeg the output is a stream, never to be written over."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


class MuxedCodec:
    """AAC (``bitrate`` kbps) or FLAC at ``rate``, handed out as each piece is encoded."""

    def __init__(self, codec: str, rate: int, bitrate: int | None = None) -> None:
        container, encoder = _MUXED[codec]
        self._sink = _Sink()
        self._container = av.open(self._sink, "w", format=container,
                                  options={"fflags": "+flush_packets"})
        stream = self._container.add_stream(encoder, rate=rate, layout="mono")
        assert isinstance(stream, av.AudioStream)
        self._stream = stream
        if bitrate is not None:
            self._stream.bit_rate = bitrate * 1000
        self._frames = Frames(rate)
        self._container.start_encoding()

    def encode(self, audio: Audio) -> bytes:
        if len(audio) > 0:
            self._container.mux(self._stream.encode(self._frames.frame(audio)))
        return self._sink.drain()

    def finish(self) -> bytes:
        if self._frames.count == 0:  # an empty stream still decodes: one frame of silence
            self.encode(Audio.mono(silence(_LEAST), self._frames.rate))
        self._container.mux(self._stream.encode(None))
        self._container.close()
        return self._sink.drain()
