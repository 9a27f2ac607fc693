"""Long audio recognised in parallel: pieces cut at silences, each in a worker process.

Each worker process loads the Whisper model once and recognises the pieces it is sent; the
pieces' words come back with their own times and are shifted onto the whole clip's clock. The
language is detected on the first piece (unless given) and then imposed on every other, so a
file is one language throughout. Progress counts the seconds of audio whose piece is done.
A worker that dies (killed, out of memory) breaks the pool: a new pool is started and the
pieces not yet back are recognised again, up to three pools; then the recognition fails with
``EngineError``. Pieces go out a batch (one per process) at a time, so ``stop`` is heard
between batches and a stopped recognition returns what the finished pieces heard. A batch's
pieces are made (float32) as it goes out, so an hour is never held as float pieces all at once.
The processes that recognise hand freed memory back to the system (``heap``): Whisper's
encoder takes and frees a hundred MB a piece, which would otherwise stay with the process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

from voicer.errors import EngineError
from voicer.heap import hand_back_freed_memory
from voicer.recognition.base import Progress, Segment, Transcript, Word
from voicer.recognition.chunking import cut
from voicer.recognition.clip import Clip, Sound
from voicer.recognition.whisper import WHISPER, WhisperRecognizer

log = logging.getLogger("voicer.stt")

_NICENESS = 10  # batch work: the API process that started it keeps answering quickly
_ATTEMPTS = 3  # pools a batch of pieces is given to before its recognition fails
# The worker process's recognizer, made once by _start: a pool's initializer can leave it
# nowhere else. Only worker processes, which hold nothing else, ever set it.
_recognizer: WhisperRecognizer | None = None


def _start(directory: str) -> None:
    global _recognizer  # one per worker process, which holds nothing else
    os.nice(_NICENESS)
    hand_back_freed_memory()
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
        self.name = WHISPER
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def recognize(self, clip: Sound, language: str | None = None,
                  progress: Progress | None = None,
                  stop: Callable[[], bool] | None = None) -> Transcript:
        """``clip``'s words; when ``stop`` says so between pieces, those of the pieces done
        so far (the transcript's ``duration`` is then the audio they cover)."""
        pieces = cut(clip, self.longest)
        first = self._all([clip.cut(pieces[0].start, pieces[0].end)], language)[0]
        heard = language or first.language
        results = [first]
        done = pieces[0].duration
        if progress is not None:
            progress(done)
        batch = 2 * max(1, self.processes)  # two pieces a process: few idle moments
        for at in range(1, len(pieces), batch):  # a batch per turn, so a stop is heard soon
            if stop is not None and stop():
                break
            results += self._all([clip.cut(piece.start, piece.end)
                                  for piece in pieces[at:at + batch]], heard)
            done = pieces[len(results) - 1].end
            if progress is not None:
                progress(done)
        segments = tuple(_shifted(segment, piece.start)
                         for piece, result in zip(pieces, results, strict=False)
                         for segment in result.segments)
        return Transcript(segments, first.language, first.language_probability,
                          clip.duration if len(results) == len(pieces) else done)

    def recognize_pieces(self, clips: list[Clip], language: str | None) -> list[Transcript]:
        """Each of ``clips`` (pieces of a file, each on its own clock) recognised in
        ``language``, in parallel."""
        return self._all(clips, language)

    def _all(self, clips: list[Clip], language: str | None) -> list[Transcript]:
        """Each of ``clips`` recognised by the workers; pieces a dead worker took are given to
        a fresh pool, up to ``_ATTEMPTS`` pools in all."""
        results: dict[int, Transcript] = {}
        for attempt in range(_ATTEMPTS):
            pool = self._pool_()
            futures = {i: pool.submit(_recognize, clips[i], language)
                       for i in range(len(clips)) if i not in results}
            try:
                for i, future in futures.items():
                    results[i] = future.result()
                return [results[i] for i in range(len(clips))]
            except BrokenProcessPool:
                log.warning("a recognition worker process died (attempt %d); starting new ones",
                            attempt + 1)
                self._discard()
        raise EngineError(f"recognition worker processes died {_ATTEMPTS} times; giving up")

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


class ThreadedRecognizer(ParallelRecognizer):
    """The same, in ``threads`` threads of this process sharing one model (CTranslate2 lets go
    of the GIL while it computes): the memory of one model and its runtime, not one per process.
    For ``voicer transcribe``, which runs alone; a crash here is the command's own."""

    def __init__(self, locate: Callable[[], Path], threads: int, longest: float = 28.0) -> None:
        super().__init__(locate, threads, longest)
        self._whisper: WhisperRecognizer | None = None
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="whisper")

    def _all(self, clips: list[Clip], language: str | None) -> list[Transcript]:
        with self._lock:
            if self._whisper is None:  # one replica a thread, on one set of weights
                hand_back_freed_memory()
                self._whisper = WhisperRecognizer(self.locate(), workers=self.processes)
            whisper = self._whisper
        return list(self._threads.map(lambda clip: whisper.recognize(clip, language), clips))

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)


def _shifted(segment: Segment, by: float) -> Segment:
    words = tuple(Word(w.text, round(w.start + by, 3), round(w.end + by, 3), w.probability)
                  for w in segment.words)
    return replace(segment, start=round(segment.start + by, 3), end=round(segment.end + by, 3),
                   words=words)
