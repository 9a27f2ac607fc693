"""Turning text into chunks an engine can speak."""

from voicer.text.splitter import Chunk, SplitType, split_text

__all__ = ["Chunk", "SplitType", "split_text"]
