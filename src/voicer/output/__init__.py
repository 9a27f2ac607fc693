"""Where rendered chunks go: one merged MP3, or a ZIP with a file per chunk."""

from typing import IO

from voicer.output.archive import ZipOutput
from voicer.output.base import ChunkAudio, Output
from voicer.output.merged import MergedMp3Output


def open_output(file: IO[bytes], split_output: bool) -> Output:
    return ZipOutput(file) if split_output else MergedMp3Output(file)


__all__ = ["ChunkAudio", "MergedMp3Output", "Output", "ZipOutput", "open_output"]
