"""Where rendered chunks go: one merged file, or a ZIP with a file per chunk."""

from dataclasses import dataclass
from typing import IO

from voicer.books import BookTags
from voicer.encoding.formats import OutputFormat
from voicer.output.archive import ZipOutput
from voicer.output.base import ChunkAudio, Output
from voicer.output.book import BookOutput
from voicer.output.merged import MergedOutput


@dataclass(frozen=True, slots=True)
class OutputFile:
    """What an output file is: one file in its format or, split, a ZIP of them."""

    split: bool
    format: OutputFormat

    @property
    def suffix(self) -> str:
        """``.zip``, or the format's own: ``.mp3``, ``.wav``, ``.ogg``, ..."""
        return ".zip" if self.split else f".{self.format.extension}"

    @property
    def media_type(self) -> str:
        return "application/zip" if self.split else self.format.media_type

    def open(self, file: IO[bytes], tags: BookTags | None = None) -> Output:
        """Where the chunks are added, one after another, to make this file in ``file``; a
        book's ``tags`` go into a merged MP3 (ID3 chapters) or M4B, or a ZIP's manifest."""
        if self.split:
            return ZipOutput(file, self.format, tags)
        if self.format.codec == "m4b":
            return BookOutput(file, self.format, tags)
        return MergedOutput(file, self.format, tags)


__all__ = ["BookOutput", "ChunkAudio", "MergedOutput", "Output", "OutputFile", "ZipOutput"]
