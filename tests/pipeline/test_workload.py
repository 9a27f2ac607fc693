"""The work a text is, estimated from its characters, against what espeak-ng really makes of it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tests.pipeline import texts
from voicer.audio import speech_bounds
from voicer.engines.espeak import EspeakEngine
from voicer.language import LanguageDetector
from voicer.pipeline.plan import SynthesisOptions, make_plan
from voicer.pipeline.workload import (
    CHUNK,
    LETTER,
    PICTOGRAPH,
    PICTOGRAPH_RUN,
    chunk_work,
    rendered_work,
    speech_seconds,
)
from voicer.voices import VoiceCatalogue


def spoken_seconds(text: str, engine: EspeakEngine, catalogue: VoiceCatalogue,
                   detector: LanguageDetector) -> float:
    """Seconds of speech espeak-ng makes of ``text``, chunk by chunk as a task speaks it."""
    plan = make_plan(text, SynthesisOptions(), catalogue, detector)
    total = 0
    for job in plan.jobs:
        samples = np.concatenate([piece.samples for piece in engine.synthesize(
            job.text, plan.spec.voice, plan.spec.settings, job.language)])
        start, end = speech_bounds(samples)
        total += end - start
    return total / engine.format.rate


@pytest.mark.parametrize("make", [texts.english, texts.russian, texts.emoji_heavy,
                                  texts.combining_marks])
def test_the_estimate_is_close_to_the_speech_espeak_makes(
        make: Callable[[int], str], engine: EspeakEngine, catalogue: VoiceCatalogue,
        detector: LanguageDetector) -> None:
    text = make(3_000)
    actual = spoken_seconds(text, engine, catalogue, detector)
    assert 0.7 < speech_seconds(text) / actual < 1.4


def test_characters_weigh_what_they_make() -> None:
    assert speech_seconds("") == 0
    # nothing to say: zero-width, control and unassigned characters, stacked diacritics
    assert speech_seconds("\u200d" * 1_000 + "\x01\x02\U000e0080\u0378" + "\u0301" * 50) == 0
    assert speech_seconds("a\u0301\u0302\u0303") == speech_seconds("a") == LETTER
    assert speech_seconds("😀") == PICTOGRAPH + PICTOGRAPH_RUN > 5 * LETTER  # its name is read
    # a pause before each run of emoji; the joiners of a sequence do not end a run
    assert speech_seconds("😀😂") == speech_seconds("👩\u200d💻") < speech_seconds("😀 😂")
    assert speech_seconds("中文") > speech_seconds("ab")  # a syllable each
    assert speech_seconds("Hello, world. " * 1_000) == pytest.approx(1_000 * speech_seconds(
        "Hello, world. "))


def test_a_chunk_works_its_speech_the_silence_after_it_and_its_handling() -> None:
    assert chunk_work("Hello.", 0.0, speed=1.0) == speech_seconds("Hello.") + CHUNK
    assert chunk_work("Hello.", 0.0, speed=1.2) < chunk_work("Hello.", 0.0)
    assert chunk_work("Hello.", 10.0) == pytest.approx(speech_seconds("Hello.") + 5.0 + CHUNK)
    assert chunk_work("Hello.", None) > chunk_work("Hello.", 0.0)  # espeak-ng's own pause
    assert chunk_work("\u200d" * 2_000, 0.0) == CHUNK  # nothing to say still costs a chunk
    assert rendered_work(speech=3.0, duration=13.0) == 8.0 + CHUNK
    assert rendered_work(speech=3.0, duration=13.0, chunks=4) == 8.0 + 4 * CHUNK
