"""Where rendered chunks go: one merged file, or a ZIP with a file per chunk."""

from typing import IO

from voicer.encoding.formats import DEFAULT_FORMAT, OutputFormat
from voicer.output.archive import ZipOutput
from voicer.output.base import ChunkAudio, Output
from voicer.output.merged import MergedOutput


def open_output(file: IO[bytes], split_output: bool, target: OutputFormat = DEFAULT_FORMAT) -> Output:
    return ZipOutput(file, target) if split_output else MergedOutput(file, target)


def output_suffix(split_output: bool, target: OutputFormat) -> str:
    """The suffix of an output file: ``.zip``, or the format's own."""
    return ".zip" if split_output else f".{target.extension}"


def output_media_type(split_output: bool, target: OutputFormat) -> str:
    return "application/zip" if split_output else target.media_type


__all__ = ["ChunkAudio", "MergedOutput", "Output", "ZipOutput", "open_output", "output_media_type",
           "output_suffix"]
