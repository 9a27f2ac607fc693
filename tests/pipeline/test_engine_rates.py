"""Any engine rate, any output format: the tone engine at 16, 22.05, 24 and 48 kHz, measured decoded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.audio_tools import decode_as
from tests.tone_engine import RATES, speech_seconds, tone_engine
from voicer.atomic import atomic_file
from voicer.language import LanguageDetector
from voicer.pauses import PausePlan
from voicer.pipeline.plan import SynthesisOptions, make_plan
from voicer.pipeline.pool import WorkerPool
from voicer.pipeline.run import run
from voicer.text import SplitType
from voicer.voices import VoiceCatalogue

SENTENCES = ["First tone.", "The second, longer tone.", "Third."]
PAUSE = 0.7


@pytest.fixture(scope="module", params=RATES, ids=[f"{rate}Hz" for rate in RATES])
def tones(request: pytest.FixtureRequest) -> Iterator[WorkerPool]:
    with WorkerPool(1, tone_engine(request.param)) as pool:
        yield pool


def planned() -> tuple[float, list[float]]:
    """From the first sound to the last: the tones and the pauses between them."""
    return sum(map(speech_seconds, SENTENCES)) + PAUSE * (len(SENTENCES) - 1), [PAUSE] * 2


@pytest.mark.parametrize("output_format", ["mp3_44100_128", "mp3_22050_32", "opus_48000_64",
                                           "wav_16000", "pcm_24000"])
def test_every_engine_rate_gives_the_planned_durations_and_pauses(
        tones: WorkerPool, output_format: str, tmp_path: Path, catalogue: VoiceCatalogue,
        detector: LanguageDetector) -> None:
    options = SynthesisOptions(split_type=SplitType.sentences, output_format=output_format,
                               pauses=PausePlan(enabled=True, duration=PAUSE))
    plan = make_plan(" ".join(SENTENCES), options, catalogue, detector)
    out = tmp_path / "out"
    with atomic_file(out) as file:
        result = run(plan, tones, plan.output_file.open(file))
    audio = decode_as(out.read_bytes(), output_format)
    assert audio.rate == plan.format.rate
    assert audio.duration == pytest.approx(result.duration, abs=0.002)
    length, pauses = planned()
    start, end = audio.sound_span()
    assert end - start == pytest.approx(length, abs=0.03)
    assert [gap for _, gap in audio.gaps(minimum=0.4)] == pytest.approx(pauses, abs=0.03)
