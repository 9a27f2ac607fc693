"""A ZIP with one MP3 per chunk (``0001.mp3``, ...) and a ``manifest.json``.

Each file holds the chunk and the pause it earned at its end, so the files
played in order are exactly the merged MP3.
"""

from __future__ import annotations

import json
import zipfile
from types import TracebackType
from typing import IO, Self

from voicer.output.base import ChunkAudio


class ZipOutput:
    def __init__(self, file: IO[bytes]) -> None:
        self._file = file
        self._zip: zipfile.ZipFile | None = None
        self._entries: list[dict[str, object]] = []
        self._position = 0.0

    def __enter__(self) -> Self:
        # MP3 does not compress; store it.
        self._zip = zipfile.ZipFile(self._file, "w", zipfile.ZIP_STORED, allowZip64=True)
        return self

    def add(self, chunk: ChunkAudio) -> None:
        assert self._zip is not None, "use the output as a context manager"
        name = f"{chunk.index + 1:04d}.mp3"
        self._zip.writestr(name, chunk.data)
        self._entries.append({
            "index": chunk.index + 1,
            "file": name,
            "text": chunk.text,
            "text_offset": chunk.text_offset,
            "start_seconds": round(self._position, 4),
            "duration_seconds": round(chunk.duration, 4),
            "speech_seconds": round(chunk.speech, 4),
            "pause_seconds": chunk.pause,
            "gap_seconds": round(chunk.duration - chunk.speech, 4),
        })
        self._position += chunk.duration

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        assert self._zip is not None
        if kind is None:
            manifest = {"chunks": self._entries, "duration_seconds": round(self._position, 4)}
            self._zip.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        self._zip.close()  # the file stays open: it is the caller's
