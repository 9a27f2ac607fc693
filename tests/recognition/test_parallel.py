"""Long audio recognised by worker processes, piece by piece, on one clock."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.recognition.speech import speak
from voicer.errors import EngineError
from voicer.pipeline.pool import WorkerPool
from voicer.recognition.parallel import ParallelRecognizer, ThreadedRecognizer
from voicer.recognition.wer import word_error_rate
from voicer.recognition.whisper import WhisperRecognizer

TEXT = " ".join([
    "The old lighthouse keeper noticed the quiet harbour at dawn.",
    "A small group of students carried a map of the northern hills.",
    "Our neighbour remembered every page of the report, although it was raining.",
    "The committee questioned the price of bread for the first time in years.",
    "An unexpected letter arrived while the city slept.",
    "Her younger brother repaired the broken clock in the hall with great care.",
] * 2)


@pytest.fixture(scope="module")
def workers(whisper_dir: Path) -> Iterator[ParallelRecognizer]:
    recognizer = ParallelRecognizer(lambda: whisper_dir, 2, longest=20.0)
    yield recognizer
    recognizer.close()


def test_pieces_come_back_as_one_transcript(pool: WorkerPool, workers: ParallelRecognizer,
                                            recognizer: WhisperRecognizer) -> None:
    clip = speak(pool, TEXT).clip
    assert clip.duration > 40
    seen: list[float] = []
    transcript = workers.recognize(clip, progress=seen.append)
    assert transcript.language == "en" and transcript.duration == clip.duration
    # espeak-ng's "harbour" is heard as "harbor" and so on: cutting adds no errors of its own
    whole = word_error_rate(TEXT, recognizer.recognize(clip).text)
    assert word_error_rate(TEXT, transcript.text) <= whole + 0.03 and whole <= 0.15
    starts = [word.start for word in transcript.words]
    assert starts == sorted(starts) and starts[-1] > 38
    assert len(seen) >= 2 and seen == sorted(seen) and seen[-1] == clip.duration


def test_threads_sharing_one_model_hear_the_same(pool: WorkerPool, whisper_dir: Path,
                                                 workers: ParallelRecognizer) -> None:
    clip = speak(pool, TEXT).clip
    threaded = ThreadedRecognizer(lambda: whisper_dir, 2, longest=20.0)
    try:
        seen: list[float] = []
        transcript = threaded.recognize(clip, progress=seen.append)
    finally:
        threaded.close()
    assert transcript.text == workers.recognize(clip).text  # the same model, the same pieces
    assert transcript.duration == clip.duration and seen[-1] == clip.duration
    assert threaded._pool is None  # no worker process was started


def test_a_worker_killed_midway_costs_its_pieces_again_not_the_recognition(
        pool: WorkerPool, workers: ParallelRecognizer) -> None:
    clip = speak(pool, TEXT).clip
    workers.recognize(clip.cut(0, 1))  # the workers are up
    processes = list(workers._pool_()._processes)
    killer = threading.Timer(1.0, lambda: [os.kill(pid, signal.SIGKILL) for pid in processes])
    killer.start()  # what the OOM killer or an operator does, mid-recognition
    transcript = workers.recognize(clip)
    killer.join()
    assert transcript.duration == clip.duration
    assert word_error_rate(TEXT, transcript.text) <= 0.2
    assert not set(processes) & set(workers._pool_()._processes)  # a new pool took over


def test_workers_that_keep_dying_fail_the_recognition(
        pool: WorkerPool, whisper_dir: Path) -> None:
    doomed = ParallelRecognizer(lambda: whisper_dir / "missing", 1)  # workers die at start
    with pytest.raises(EngineError, match="died 3 times"):
        doomed.recognize(speak(pool, "Hello there.").clip)


def test_a_stop_between_pieces_returns_what_was_heard(
        pool: WorkerPool, whisper_dir: Path) -> None:
    short_pieces = ParallelRecognizer(lambda: whisper_dir, 1, longest=4.0)
    try:
        clip = speak(pool, TEXT).clip
        transcript = short_pieces.recognize(clip, stop=lambda: True)
    finally:
        short_pieces.close()
    assert 2.0 < transcript.duration < 4.0  # the first piece only: the stop came before the next
    assert transcript.words and transcript.words[-1].end <= transcript.duration + 0.5
    assert "quiet harbo" in transcript.text
