"""Long audio recognised in parallel: pieces cut at silences, each in a worker process.

Each worker process loads the Whisper model once and recognises the pieces it is sent; the
pieces' words come back with their own times and are shifted onto the whole clip's clock. The
language is detected on the first piece (unless given) and then imposed on every other, so a
file is one language throughout. Progress counts the seconds of audio whose piece is done.
A worker that dies breaks the pool: the recognition fails with ``EngineError``, and the pool
is made again for the next one.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

from voicer.errors import EngineError
from voicer.recognition.base import Progress, Segment, Transcript, Word
from voicer.recognition.chunking import cut
from voicer.recognition.clip import Clip
from voicer.recognition.whisper import WhisperRecognizer

_NICENESS = 10  # batch work: the API process that started it keeps answering quickly
# The worker process's recognizer, made once by _start: a pool's initializer can leave it
# nowhere else. Only worker processes, which hold nothing else, ever set it.
_recognizer: WhisperRecognizer | None = None


def _start(directory: str) -> None:
    global _recognizer  # one per worker process, which holds nothing else
    os.nice(_NICENESS)
    _recognizer = WhisperRecognizer(Path(directory))
    _recognizer.model()


def _recognize(clip: Clip, language: str | None) -> Transcript:
    assert _recognizer is not None
    return _recognizer.recognize(clip, language)


class ParallelRecognizer:
    """``processes`` worker processes, each with the model in the directory ``locate`` finds;
    found and started on first use."""

    def __init__(self, locate: Callable[[], Path], processes: int, longest: float = 28.0) -> None:
        self.locate = locate
        self.processes = processes
        self.longest = longest
        self.name = "whisper"
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def recognize(self, clip: Clip, language: str | None = None,
                  progress: Progress | None = None) -> Transcript:
        pieces = cut(clip, self.longest)
        try:
            first = self._pool_().submit(_recognize, clip.cut(pieces[0].start, pieces[0].end),
                                         language).result()
            heard = language or first.language
            futures = [self._pool_().submit(_recognize, clip.cut(p.start, p.end), heard)
                       for p in pieces[1:]]
            results = [first]
            done = pieces[0].duration
            if progress is not None:
                progress(done)
            for piece, future in zip(pieces[1:], futures, strict=True):
                results.append(future.result())
                done += piece.duration
                if progress is not None:
                    progress(done)
        except BrokenProcessPool:
            self._discard()
            raise EngineError("a recognition worker process died; try again") from None
        segments = tuple(_shifted(segment, piece.start)
                         for piece, result in zip(pieces, results, strict=True)
                         for segment in result.segments)
        return Transcript(segments, first.language, first.language_probability, clip.duration)

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def _pool_(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.processes, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start, initargs=(str(self.locate()),))
            return self._pool

    def _discard(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _shifted(segment: Segment, by: float) -> Segment:
    words = tuple(Word(w.text, round(w.start + by, 3), round(w.end + by, 3), w.probability)
                  for w in segment.words)
    return replace(segment, start=round(segment.start + by, 3), end=round(segment.end + by, 3),
                   words=words)
