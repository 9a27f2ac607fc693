"""The default Whisper model on speech whose words and times are known: espeak-ng's."""

from __future__ import annotations

import difflib
import io
import statistics

import numpy as np
import pytest

from tests.recognition.speech import PARAGRAPH, RUSSIAN, speak, synthesized
from voicer.pipeline.pool import WorkerPool
from voicer.recognition.clip import Clip, decode
from voicer.recognition.wer import word_error_rate, words
from voicer.recognition.whisper import WhisperRecognizer


def timing_errors(spoken: list[tuple[str, float]], heard: list[tuple[str, float]]) -> list[float]:
    """For each word heard as it was spoken: heard start − spoken start, seconds."""
    said = [(words(text) or [""])[0] for text, _ in spoken]
    got = [(words(text) or [""])[0] for text, _ in heard]
    matcher = difflib.SequenceMatcher(a=said, b=got, autojunk=False)
    return [heard[j][1] - spoken[i][1] for block in matcher.get_matching_blocks()
            for i, j in zip(range(block.a, block.a + block.size),
                            range(block.b, block.b + block.size), strict=True)]


def test_an_english_paragraph_comes_back_word_for_word_on_time(
        pool: WorkerPool, recognizer: WhisperRecognizer) -> None:
    spoken = speak(pool, PARAGRAPH)
    transcript = recognizer.recognize(spoken.clip)
    assert transcript.language == "en"
    assert word_error_rate(PARAGRAPH, transcript.text) <= 0.05
    errors = [abs(e) for e in timing_errors(spoken.words,
                                            [(w.text, w.start) for w in transcript.words])]
    # Whisper's own word times (cross-attention alignment, 20 ms frames) on this paragraph:
    # median 36 ms, 43 of 54 words within ±100 ms, the worst 217 ms. Its starts corrected on
    # the sound (voicer.recognition.word_starts): median 24 ms, 53 of 54, the worst 131 ms.
    assert len(errors) >= 0.95 * len(spoken.words)
    assert statistics.median(errors) <= 0.04
    assert sum(e <= 0.1 for e in errors) >= 0.95 * len(errors)
    assert max(errors) <= 0.2


@pytest.mark.parametrize("voice", ["ru-dmitry", "ru-natalia"])
def test_russian_is_detected(recognizer: WhisperRecognizer, voice: str) -> None:
    clip = decode(io.BytesIO(synthesized(RUSSIAN, voice)), 60)
    transcript = recognizer.recognize(clip)
    assert transcript.language == "ru" and transcript.language_probability > 0.2


def test_a_language_given_is_the_one_recognised(pool: WorkerPool,
                                                recognizer: WhisperRecognizer) -> None:
    transcript = recognizer.recognize(speak(pool, "Good morning.").clip, language="en")
    assert transcript.language == "en" and "morning" in transcript.text.lower()


def test_silence_has_no_words(recognizer: WhisperRecognizer) -> None:
    transcript = recognizer.recognize(Clip(np.zeros(16_000 * 2, dtype=np.float32)))
    assert transcript.words == [] and transcript.duration == 2.0
