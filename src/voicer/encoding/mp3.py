"""LAME, set up once, and MP3 segments that join gaplessly by plain byte concatenation.

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

Audio at another rate than the format's is resampled first (``voicer.encoding.resample``),
so LAME always encodes at its output rate and the arithmetic above holds at any engine rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import lameenc

from voicer.audio import Audio, silence
from voicer.encoding.formats import OutputFormat
from voicer.encoding.resample import resample

DELAY = 1105  # LAME encoder delay (576) plus decoder delay (529), in output samples
FLUSH = 1152  # LAME's flush always emits frames covering this much past the input
# LAME's default quality: its reference psychoacoustics, ~230x realtime per core here.
QUALITY = 3
_BLOCK = 1 << 16  # samples handed to the encoder at once


def frame_size(rate: int) -> int:
    """Samples per MP3 frame: MPEG-1 above 32 kHz, MPEG-2/2.5 below."""
    return 1152 if rate >= 32_000 else 576


def lame_encoder(fmt: OutputFormat) -> lameenc.Encoder:
    """A LAME encoder for ``fmt``, fed mono PCM already at ``fmt.rate``: the only LAME set-up."""
    if fmt.codec != "mp3" or fmt.bitrate is None:
        raise ValueError(f"{fmt.name} is not an MP3 format")
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(fmt.bitrate)
    encoder.set_in_sample_rate(fmt.rate)
    encoder.set_out_sample_rate(fmt.rate)
    encoder.set_channels(1)
    encoder.set_quality(QUALITY)
    return encoder


def lame_encode(encoder: lameenc.Encoder, audio: Audio) -> bytes:
    """Feed ``audio`` a block at a time: lameenc wants bytes, so copy a block, not the whole."""
    encoded = bytearray()
    for offset in range(0, len(audio), _BLOCK):
        encoded += encoder.encode(audio.samples[offset:offset + _BLOCK].tobytes())
    return bytes(encoded)


@dataclass(frozen=True, slots=True)
class Segment:
    """An encoded chunk: its bytes and what they decode to."""

    data: bytes
    samples: int  # decoded length, in output samples
    speech_start: int  # output sample where the speech starts inside the segment


class SegmentEncoder:
    """Encodes speech plus a trailing gap into a self-contained, joinable MP3 segment."""

    def __init__(self, target: OutputFormat) -> None:
        self.target = target
        self.frame = frame_size(target.rate)
        lame_encoder(target)  # refuse a format that is not MP3 now, not at the first chunk

    def encode(self, speech: Audio, gap: float) -> Segment:
        """Encode ``speech`` followed by ``gap`` seconds of heard silence (0: end of the audio)."""
        speech = resample(speech, self.target.rate)
        if len(speech) == 0:  # LAME cannot flush a stream it was given nothing to encode
            speech = Audio.mono(silence(1), self.target.rate)
        minimum = math.ceil((len(speech) + FLUSH) / self.frame) * self.frame
        # The next segment starts with DELAY silent samples, so the heard gap is
        # everything after the speech here plus that delay: total - speech.
        wanted = round((len(speech) + gap * self.target.rate) / self.frame) * self.frame
        total = max(minimum, wanted) if gap > 0 else minimum
        fill = Audio.mono(silence(max(0, total - FLUSH - len(speech))), self.target.rate)
        encoder = lame_encoder(self.target)
        data = lame_encode(encoder, speech) + lame_encode(encoder, fill) + bytes(encoder.flush())
        return Segment(data, total, DELAY)
