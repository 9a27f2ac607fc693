"""Long audio recognised by worker processes, piece by piece, on one clock."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.recognition.speech import speak
from voicer.engines.espeak import EspeakEngine
from voicer.errors import EngineError
from voicer.recognition.parallel import ParallelRecognizer
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


def test_pieces_come_back_as_one_transcript(engine: EspeakEngine, workers: ParallelRecognizer,
                                            recognizer: WhisperRecognizer) -> None:
    clip = speak(engine, TEXT).clip
    assert clip.duration > 40
    seen: list[float] = []
    transcript = workers.recognize(clip, progress=seen.append)
    assert transcript.language == "en" and transcript.duration == clip.duration
    # espeak-ng's "harbour" is heard as "harbor" and so on: cutting adds no errors of its own
    whole = word_error_rate(TEXT, recognizer.recognize(clip).text)
    assert word_error_rate(TEXT, transcript.text) <= whole + 0.03 and whole <= 0.15
    starts = [word.start for word in transcript.words]
    assert starts == sorted(starts) and starts[-1] > 38
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] == pytest.approx(clip.duration)


def test_a_killed_worker_fails_the_recognition_and_the_next_one_works(
        engine: EspeakEngine, workers: ParallelRecognizer) -> None:
    clip = speak(engine, TEXT).clip
    workers.recognize(clip.cut(0, 1))  # the workers are up
    processes = list(workers._pool_()._processes)
    assert len(processes) == 2
    for pid in processes:  # what the OOM killer or an operator does
        os.kill(pid, signal.SIGKILL)
    with pytest.raises(EngineError, match="worker process died"):
        workers.recognize(clip)
    assert word_error_rate(TEXT, workers.recognize(clip).text) <= 0.2
