"""A task's chunks as stored segments, in any output format, and how they become files.

MP3 chunks are encoded where they were spoken, in parallel, into gapless
segments (:mod:`voicer.encoding.mp3`) that join by concatenation. Every other
format stores each chunk as s16le PCM at the format's rate, its gap laid out to
the sample, and encodes at assembly with one streaming encoder for the whole
output: PCM, μ-law and A-law join sample-exactly; a WAV gets one header; Opus
becomes one Ogg Opus stream, encoded once from the PCM (no second generation of
lossy coding, no joins inside the stream), a chunk at a time, so memory stays flat.
The price is disk: the chunks' PCM waits in storage until the task is assembled.
"""

from __future__ import annotations

import io
from typing import Protocol

import numpy as np

from voicer.audio import Audio, silence
from voicer.encoding.formats import OutputFormat
from voicer.encoding.mp3 import Segment, SegmentEncoder
from voicer.encoding.resample import resample
from voicer.encoding.streams import complete_file, stream_encoder


class Segmenter(Protocol):
    def encode(self, speech: Audio, gap: float) -> Segment:
        """``speech`` followed by ``gap`` seconds of heard silence (0: the end of the audio)."""
        ...


class PcmSegmenter:
    """Speech and its gap as s16le PCM at the output rate: exact to the sample."""

    def __init__(self, target: OutputFormat) -> None:
        self.target = target

    def encode(self, speech: Audio, gap: float) -> Segment:
        spoken = resample(speech, self.target.rate)
        pause = silence(round(gap * self.target.rate))
        samples = np.concatenate([spoken.samples, pause])
        return Segment(samples.tobytes(), len(samples), 0)


def segmenter(target: OutputFormat) -> Segmenter:
    return SegmentEncoder(target) if target.codec == "mp3" else PcmSegmenter(target)


class Joiner:
    """Joins stored segments, in order, into one output file, piece by piece.

    A WAV's header says "unknown size": :func:`complete_file` the file once written.
    """

    def __init__(self, target: OutputFormat) -> None:
        self.target = target
        # MP3 segments are already the file's bytes; the rest is PCM to encode as one stream
        self._encoder = None if target.codec == "mp3" else stream_encoder(target)

    def add(self, segment: bytes) -> bytes:
        if self._encoder is None:
            return segment
        return self._encoder.encode(Audio.from_bytes(segment, self.target.rate))

    def finish(self) -> bytes:
        return b"" if self._encoder is None else self._encoder.finish()


def segment_file(target: OutputFormat, segment: bytes) -> bytes:
    """One stored segment as a file of its own in ``target`` (an entry of a ZIP)."""
    joiner = Joiner(target)
    file = io.BytesIO(joiner.add(segment) + joiner.finish())
    complete_file(target, file)
    return file.getvalue()
