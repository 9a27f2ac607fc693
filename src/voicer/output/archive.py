"""A ZIP with one file per chunk (``0001.mp3``, ``0001.wav``, ...), a ``manifest.json`` (a
book's also lists its chapters: title, first chunk, start), and the captions of the whole:
``captions.srt``, ``captions.vtt``, ``captions.json``.

Each file holds the chunk and the pause it earned at its end, so the files
played in order sound exactly like the merged file.
"""

from __future__ import annotations

import json
import zipfile
from types import TracebackType
from typing import IO, Self

from voicer.books import BookTags
from voicer.captions import formats as captions
from voicer.captions.timeline import Timeline
from voicer.encoding.formats import DEFAULT_FORMAT, OutputFormat
from voicer.encoding.segments import segment_file
from voicer.output.base import WORST_CHUNKS, ChunkAudio


class ZipOutput:
    def __init__(self, file: IO[bytes], target: OutputFormat = DEFAULT_FORMAT,
                 tags: BookTags | None = None) -> None:
        self._file = file
        self._chapters = {chapter.chunk: chapter.title for chapter in tags.chapters} if tags else {}
        self._target = target
        self._zip: zipfile.ZipFile | None = None
        self._entries: list[dict[str, object]] = []
        self._chapter_starts: list[dict[str, object]] = []
        self._position = 0.0
        self._timeline = Timeline()

    def __enter__(self) -> Self:
        # Stored, not deflated: the codecs leave little to compress, and PCM is quick to serve.
        self._zip = zipfile.ZipFile(self._file, "w", zipfile.ZIP_STORED, allowZip64=True)
        return self

    def add(self, chunk: ChunkAudio) -> None:
        assert self._zip is not None, "use the output as a context manager"
        name = f"{chunk.index + 1:04d}.{self._target.extension}"
        self._zip.writestr(name, segment_file(self._target, chunk.data))
        if chunk.index in self._chapters:
            self._chapter_starts.append({"title": self._chapters[chunk.index], "chunk": chunk.index + 1,
                                         "start_seconds": round(self._position, 4)})
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
            **({} if chunk.word_error_rate is None else {
                "word_error_rate": chunk.word_error_rate, "heard": chunk.heard,
                "attempts": chunk.attempts}),
        })
        self._position += chunk.duration
        self._timeline.add(chunk.text, chunk.text_offset, chunk.duration, chunk.words)

    def _worst(self) -> list[object]:
        """The indexes of a verified task's chunks heard worst, worst first (none heard
        perfectly)."""
        heard = [entry for entry in self._entries if entry.get("word_error_rate")]
        heard.sort(key=lambda entry: (-float(entry["word_error_rate"]),  # type: ignore[arg-type]
                                      entry["index"]))
        return [entry["index"] for entry in heard[:WORST_CHUNKS]]

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        assert self._zip is not None
        if kind is None:
            manifest: dict[str, object] = {"chunks": self._entries,
                                           "duration_seconds": round(self._position, 4)}
            if self._chapters:
                manifest["chapters"] = self._chapter_starts
            if any("word_error_rate" in entry for entry in self._entries):
                manifest["worst_chunks"] = self._worst()
            self._zip.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            for name, (extension, _, _) in captions.FORMATS.items():
                self._zip.writestr(f"captions.{extension}", captions.write(self._timeline, name))
        self._zip.close()  # the file stays open: it is the caller's
