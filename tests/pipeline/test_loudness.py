"""One loudness over a whole merged output, whichever voice and engine spoke each chunk."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest

from tests.audio_tools import decode_as
from tests.pipeline.texts import english
from voicer.language import LanguageDetector
from voicer.loudness import LoudnessTarget, integrated, true_peak
from voicer.output import ChunkAudio, MergedOutput
from voicer.pipeline.plan import SynthesisOptions, make_plan
from voicer.pipeline.pool import WorkerPool
from voicer.pipeline.render import RenderedChunk
from voicer.text import SplitType
from voicer.voices import VoiceCatalogue

FORMAT = "mp3_44100_128"
VOICES = ("en-us-heart", "en-us-espeak")  # hibari and espeak-ng, which differ in level
WINDOW, HOP = 30.0, 10.0


def two_voices(neural: tuple[WorkerPool, VoiceCatalogue], detector: LanguageDetector,
               loudness: LoudnessTarget | None) -> tuple[np.ndarray, int, list[float]]:
    """A merged MP3 of ~100 s whose paragraphs take turns between the two voices: decoded,
    its rate, and each chunk's loudness."""
    pool, catalogue = neural
    text = english(1_700)
    rendered: dict[int, RenderedChunk] = {}
    plans = []
    for turn, voice in enumerate(VOICES):
        options = SynthesisOptions(voice_id=voice, split_type=SplitType.paragraphs,
                                   output_format=FORMAT, loudness=loudness)
        plan = make_plan(text, options, catalogue, detector)
        plans.append(plan)
        jobs = [job for job in plan.jobs if job.index % 2 == turn]
        rendered |= {chunk.index: chunk for chunk in pool.render(plan.spec, jobs)}
    chunks = plans[0].chunks
    assert len(chunks) >= 6 and [c.text for c in chunks] == [c.text for c in plans[1].chunks]
    file = io.BytesIO()
    with MergedOutput(file, plans[0].format) as output:
        for chunk in chunks:
            done = rendered[chunk.index]
            output.add(ChunkAudio(chunk.index, chunk.text, chunk.start, done.segment.data,
                                  done.duration, done.speech, done.pause))
    audio = decode_as(file.getvalue(), FORMAT)
    starts = np.cumsum([0.0, *(rendered[c.index].duration for c in chunks)])
    each = [integrated(audio.samples[round(a * audio.rate):round(b * audio.rate)].astype(np.float64),
                       audio.rate) for a, b in itertools.pairwise(starts)]
    return audio.samples.astype(np.float64), audio.rate, each


def windows(samples: np.ndarray, rate: int) -> list[float]:
    """The loudness of every 30-second window, every 10 seconds."""
    size, hop = round(WINDOW * rate), round(HOP * rate)
    return [integrated(samples[start:start + size], rate)
            for start in range(0, len(samples) - size + 1, hop)]


def test_two_voices_merge_at_one_loudness_under_the_ceiling(
        neural: tuple[WorkerPool, VoiceCatalogue], detector: LanguageDetector) -> None:
    samples, rate, each = two_voices(neural, detector, LoudnessTarget())
    assert integrated(samples, rate) == pytest.approx(-16.0, abs=1.0)
    assert len(windows(samples, rate)) >= 5
    assert windows(samples, rate) == pytest.approx([-16.0] * len(windows(samples, rate)), abs=2.0)
    assert each == pytest.approx([-16.0] * len(each), abs=1.0)  # every chunk, either voice
    assert true_peak(samples) <= -1.0


def test_without_a_target_the_two_voices_differ(
        neural: tuple[WorkerPool, VoiceCatalogue], detector: LanguageDetector) -> None:
    _, _, each = two_voices(neural, detector, None)
    assert abs(np.mean(each[0::2]) - np.mean(each[1::2])) > 2.0
