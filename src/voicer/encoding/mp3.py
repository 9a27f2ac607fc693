"""MP3 segments that join gaplessly by plain byte concatenation.

Each chunk is encoded on its own (in the worker that synthesized it), so
encoding runs on every core. LAME adds a known delay and padding to every
independently encoded stream: ``n`` output samples decode to
``ceil((n + FLUSH) / FRAME) * FRAME`` samples, the first ``DELAY`` of them
silent (measured with lameenc at 22.05, 24 and 44.1 kHz), and no ID3 or
Xing header is written, so segments concatenate into one valid stream. A
segment therefore always decodes to a whole number of frames that starts
with ``DELAY`` samples of silence; the silence after the
chunk's speech is laid out so that, with the next segment's delay, the
listener hears exactly the wanted gap (to within half a frame, ±13 ms at
44.1 kHz), and the segment's decoded duration is known before it is decoded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import lameenc

from voicer.audio import Samples, silence

DELAY = 1105  # LAME encoder delay (576) plus decoder delay (529), in output samples
FLUSH = 1152  # LAME's flush always emits frames covering this much past the input
# LAME's default quality: its reference psychoacoustics, ~230x realtime per core here.
QUALITY = 3
_BLOCK = 1 << 16  # samples handed to the encoder at once


def frame_size(rate: int) -> int:
    """Samples per MP3 frame: MPEG-1 above 32 kHz, MPEG-2/2.5 below."""
    return 1152 if rate >= 32_000 else 576


@dataclass(frozen=True, slots=True)
class Mp3Format:
    rate: int = 44_100
    bitrate: int = 128  # kbps

    @property
    def name(self) -> str:
        return f"mp3_{self.rate}_{self.bitrate}"


@dataclass(frozen=True, slots=True)
class Segment:
    """An encoded chunk: its MP3 frames and what they decode to."""

    data: bytes
    samples: int  # decoded length, in output samples
    speech_start: int  # output sample where the speech starts inside the segment


class SegmentEncoder:
    """Encodes speech plus a trailing gap into a self-contained, joinable MP3 segment."""

    def __init__(self, in_rate: int, target: Mp3Format) -> None:
        self.in_rate = in_rate
        self.target = target
        self.frame = frame_size(target.rate)

    def encode(self, speech: Samples, gap: float) -> Segment:
        """Encode ``speech`` followed by ``gap`` seconds of heard silence (0: end of the audio)."""
        if len(speech) == 0:  # LAME cannot flush a stream it was given nothing to encode
            speech = silence(1)
        ratio = self.target.rate / self.in_rate
        speech_out = len(speech) * ratio
        minimum = math.ceil((speech_out + FLUSH) / self.frame) * self.frame
        # The next segment starts with DELAY silent samples, so the heard gap is
        # everything after the speech here plus that delay: total - speech_out.
        wanted = round((speech_out + gap * self.target.rate) / self.frame) * self.frame
        total = max(minimum, wanted) if gap > 0 else minimum
        fill = max(0, math.floor((total - FLUSH) / ratio) - len(speech))
        return Segment(self._lame(speech, silence(fill)), total, DELAY)

    def _lame(self, *parts: Samples) -> bytes:
        encoder = lameenc.Encoder()
        encoder.set_bit_rate(self.target.bitrate)
        encoder.set_in_sample_rate(self.in_rate)
        encoder.set_out_sample_rate(self.target.rate)
        encoder.set_channels(1)
        encoder.set_quality(QUALITY)
        encoded = bytearray()
        for part in parts:
            # lameenc wants bytes: copy a block at a time, not the whole chunk
            for offset in range(0, len(part), _BLOCK):
                encoded += encoder.encode(part[offset:offset + _BLOCK].astype("<i2").tobytes())
        encoded += encoder.flush()
        return bytes(encoded)
