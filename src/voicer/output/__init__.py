"""Where rendered chunks go: one merged file, or a ZIP with a file per chunk."""

from dataclasses import dataclass
from typing import IO

from voicer.encoding.formats import OutputFormat
from voicer.output.archive import ZipOutput
from voicer.output.base import ChunkAudio, Output
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

    def open(self, file: IO[bytes]) -> Output:
        """Where the chunks are added, one after another, to make this file in ``file``."""
        return ZipOutput(file, self.format) if self.split else MergedOutput(file, self.format)


__all__ = ["ChunkAudio", "MergedOutput", "Output", "OutputFile", "ZipOutput"]
