"""Where rendered chunks go: one merged MP3, or a ZIP with a file per chunk."""

from voicer.output.base import Output, open_output

__all__ = ["Output", "open_output"]
