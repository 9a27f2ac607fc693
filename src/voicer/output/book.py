"""An audiobook: AAC in MP4 (``.m4b``) with chapter marks, title, author and cover.

The chunks' PCM is encoded as it arrives, into the file itself (FFmpeg's MP4 muxer seeks
back to finish the media data box and writes the index at the end), so only the index
grows with the length: a few bytes per 1024-sample AAC frame.
"""

from __future__ import annotations

from fractions import Fraction
from types import TracebackType
from typing import IO, Self

import av
import numpy as np

from voicer.audio import Audio
from voicer.books import BookTags
from voicer.encoding.formats import OutputFormat
from voicer.output.base import ChunkAudio
from voicer.output.chapters import ChapterClock

_COVER_CODECS = {"image/png": ("png", "rgb24"), "image/jpeg": ("mjpeg", "yuvj420p")}


class BookOutput:
    def __init__(self, file: IO[bytes], target: OutputFormat, tags: BookTags | None = None) -> None:
        self._file = file
        self._target = target
        self._tags = tags or BookTags(())
        self._clock = ChapterClock(self._tags)
        self._samples = 0

    def __enter__(self) -> Self:
        self._container = av.open(self._file, "w", format="mp4", options={"brand": "M4B "})
        self._stream = self._container.add_stream("aac", rate=self._target.rate, layout="mono")
        self._stream.bit_rate = (self._target.bitrate or 64) * 1000
        cover = self._cover_stream()
        if self._tags.title:
            self._container.metadata["title"] = self._container.metadata["album"] = self._tags.title
        if self._tags.author:
            self._container.metadata["artist"] = self._container.metadata["album_artist"] = \
                self._tags.author
        self._container.metadata["genre"] = "Audiobook"
        self._container.start_encoding()
        if cover is not None and self._tags.cover:
            picture = av.Packet(self._tags.cover)
            picture.stream, picture.pts, picture.dts = cover, 0, 0
            self._container.mux(picture)
        return self

    def _cover_stream(self) -> av.VideoStream | None:
        """The cover as an attached picture, which the muxer writes as the ``covr`` atom."""
        if not self._tags.cover or self._tags.cover_type not in _COVER_CODECS:
            return None
        codec, pixels = _COVER_CODECS[self._tags.cover_type]
        stream = self._container.add_stream(codec)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = 16, 16, pixels  # unused: copied as is
        stream.disposition = av.stream.Disposition.attached_pic
        return stream

    def add(self, chunk: ChunkAudio) -> None:
        self._clock.add(chunk)
        audio = Audio.from_bytes(chunk.data, self._target.rate)
        if len(audio) == 0:
            return
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(audio.samples).reshape(1, -1),
                                           format="s16", layout="mono")
        frame.sample_rate = self._target.rate
        frame.time_base = Fraction(1, self._target.rate)
        frame.pts = self._samples
        self._samples += len(audio)
        self._container.mux(self._stream.encode(frame))

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self._container.mux(self._stream.encode(None))
            self._container.set_chapters([
                {"id": number + 1, "start": round(mark.start * 1000), "end": round(mark.end * 1000),
                 "time_base": Fraction(1, 1000), "metadata": {"title": mark.title}}
                for number, mark in enumerate(self._clock.marks())])
        self._container.close()
        self._file.flush()
