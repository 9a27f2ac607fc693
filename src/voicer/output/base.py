"""The output protocol: chunk audio arrives in order and is written into a file.

The file is the caller's: it decides where the bytes end up and that they stay only
when the output ends without an error (``voicer.atomic``, ``Storage.write_output``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from voicer.captions.timeline import StoredWords

WORST_CHUNKS = 5  # a verified task's chunks heard worst, named in its manifest and status


@dataclass(frozen=True, slots=True)
class ChunkAudio:
    """One chunk's encoded segment and what the manifest says of it."""

    index: int  # 0-based
    text: str
    text_offset: int  # where the chunk starts in the input text
    data: bytes
    duration: float  # seconds the segment decodes to
    speech: float  # seconds of speech in it
    pause: float  # the configured pause it earned, 0 if none
    words: StoredWords = ()  # its words' times in the segment, for captions
    word_error_rate: float | None = None  # heard back, in a verified task; None: not verified
    heard: str | None = None  # what the recognizer heard, in a verified task
    attempts: int | None = None  # renders it took, in a verified task


class Output(Protocol):
    def add(self, chunk: ChunkAudio) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None: ...

