"""The whole core: text in, audio out, measured by decoding it."""

import json
import os
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psutil
import pytest

from tests.audio_tools import decode
from voicer.atomic import atomic_file
from voicer.engines import Speech
from voicer.engines.espeak import EspeakEngine
from voicer.errors import EngineError
from voicer.language import LanguageDetector
from voicer.pauses import PausePlan
from voicer.pipeline.plan import SynthesisOptions, make_plan
from voicer.pipeline.pool import INTERNAL_ERROR, WorkerPool
from voicer.pipeline.run import RunResult, run
from voicer.text import SplitType
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice, VoiceCatalogue

FRAME = 1152 / 44_100


def synthesize(text: str, out: Path, pool: WorkerPool, catalogue: VoiceCatalogue,
               detector: LanguageDetector, **options: object) -> RunResult:
    plan = make_plan(text, SynthesisOptions(**options), catalogue, detector)  # type: ignore[arg-type]
    with atomic_file(out) as file:
        return run(plan, pool, plan.output_file.open(file))


# The core's promises hold for every engine: each test below runs with one voice of each.
ENGINE_VOICES = {"espeak-ng": "en-us-espeak", "hibari": "en-us-heart", "piper": "en-us-joe"}


@pytest.fixture(params=list(ENGINE_VOICES))
def speak(request: pytest.FixtureRequest, tmp_path: Path, pool: WorkerPool,
          catalogue: VoiceCatalogue, detector: LanguageDetector):
    engine = request.param
    pool, voices = (pool, catalogue) if engine == "espeak-ng" else request.getfixturevalue("neural")

    def speak(text: str, name: str = "out.mp3", **options: object) -> tuple[Path, RunResult]:
        out = tmp_path / name
        options.setdefault("voice_id", ENGINE_VOICES[engine])
        return out, synthesize(text, out, pool, voices, detector, **options)
    return speak


def test_pauses_after_every_chunk_but_the_last(speak) -> None:
    # the seed's "training course" example
    out, result = speak("Вопрос 1? Вопрос 2? Вопрос 3?", split_type=SplitType.sentences,
                        pauses=PausePlan(enabled=True, duration=5.0, frequency=1))
    audio = decode(out)
    long_gaps = [length for _, length in audio.gaps(minimum=1.0)]
    assert long_gaps == pytest.approx([5.0, 5.0], abs=0.03)
    assert audio.duration - audio.sound_span()[1] < FRAME + 0.01, "no pause after the last chunk"
    assert audio.duration == pytest.approx(result.duration, abs=1e-6)


def test_every_nth_chunk_gets_the_pause(speak) -> None:
    text = " ".join(f"Sentence {word}." for word in
                    ["one", "two", "three", "four", "five", "six", "seven"])
    out, _ = speak(text, split_type=SplitType.sentences,
                   pauses=PausePlan(enabled=True, duration=2.0, frequency=3))
    audio = decode(out)
    gaps = audio.gaps(minimum=0.05)
    assert len(gaps) >= 6  # at least one gap per join
    long_gaps = [(start, length) for start, length in gaps if length > 1.0]
    assert [length for _, length in long_gaps] == pytest.approx([2.0, 2.0], abs=0.03)
    sounds_before = [sum(1 for s, _ in gaps if s < start) for start, _ in long_gaps]
    # the long gaps sit after the 3rd and 6th sentences; "Sentence three" may hold inner gaps,
    # so compare against where the short joins are
    assert sounds_before[0] < sounds_before[1]


def test_joins_without_pauses_keep_a_natural_sentence_gap(speak) -> None:
    out, _ = speak("First sentence here. Second sentence here. Third one.",
                   split_type=SplitType.sentences)
    audio = decode(out)
    joins = [length for _, length in audio.gaps(minimum=0.15)]
    assert len(joins) == 2
    assert all(0.15 < length < 0.8 for length in joins)


def test_merged_duration_is_the_chunks_plus_pauses(speak) -> None:
    text = "\n\n".join(f"Paragraph {i}. It has two sentences." for i in range(6))
    out, _ = speak(text, name="book.zip", split_type=SplitType.paragraphs,
                        split_output=True, pauses=PausePlan(enabled=True, duration=1.5))
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        parts = [archive.read(entry["file"]) for entry in manifest["chunks"]]
    entries = manifest["chunks"]
    assert [e["file"] for e in entries] == [f"{i:04d}.mp3" for i in range(1, 7)]
    assert [e["text"] for e in entries] == text.split("\n\n")
    assert [e["pause_seconds"] for e in entries] == [1.5] * 5 + [0.0]
    merged = decode(b"".join(parts))
    assert merged.duration == pytest.approx(sum(decode(p).duration for p in parts), abs=0.05)
    assert merged.duration == pytest.approx(manifest["duration_seconds"], abs=0.001)
    expected = sum(e["speech_seconds"] + e["gap_seconds"] for e in entries)
    assert merged.duration == pytest.approx(expected, abs=FRAME)
    assert [length for _, length in merged.gaps(minimum=1.0)] == pytest.approx([1.5] * 5, abs=0.03)
    # the pause is stored at the end of the chunk that earns it
    first = decode(parts[0])
    assert first.duration - first.sound_span()[1] == pytest.approx(1.5 - 1105 / 44_100, abs=0.03)


def test_zip_parts_in_order_sound_like_the_merged_file(speak) -> None:
    # espeak-ng's noise source is random, so compare timing, not bytes
    text = "One. Two, three. Four five six."
    merged, _ = speak(text, name="a.mp3", split_type=SplitType.sentences)
    archive, _ = speak(text, name="a.zip", split_type=SplitType.sentences, split_output=True)
    with zipfile.ZipFile(archive) as zipped:
        names = sorted(n for n in zipped.namelist() if n.endswith(".mp3"))
        joined = decode(b"".join(zipped.read(name) for name in names))
    whole = decode(merged)
    assert names == ["0001.mp3", "0002.mp3", "0003.mp3"]
    assert len(joined.samples) == len(whole.samples)
    assert [round(length, 2) for _, length in joined.gaps(0.2)] == pytest.approx(
        [round(length, 2) for _, length in whole.gaps(0.2)], abs=0.011)


def test_the_seed_ukrainian_request_speaks_ukrainian(speak, catalogue: VoiceCatalogue,
                                                   detector: LanguageDetector,
                                                   engine: EspeakEngine) -> None:
    text = "Привіт! Це тестовий текст, щоб перевірити всі налаштування."
    options = {"voice_id": "21m00Tcm4TlvDq8ikWAM", "model_id": "eleven_multilingual_v2",
               "split_type": SplitType.smart,
               "pauses": PausePlan(enabled=True, duration=1.5),
               "voice_settings": VoiceSettings(stability=0.5, similarity_boost=0.75, style=0.0,
                                               use_speaker_boost=True)}
    plan = make_plan(text, SynthesisOptions(**options), catalogue, detector)
    assert [job.language for job in plan.jobs] == ["uk"]
    voice = catalogue.get("21m00Tcm4TlvDq8ikWAM")
    assert engine.voice_name(voice, "uk").startswith("uk+")
    out, _ = speak(text, **options)
    direct = np.concatenate([p.samples for p in engine.synthesize(text, voice, VoiceSettings(), "uk")])
    english = np.concatenate([p.samples for p in engine.synthesize(text, voice, VoiceSettings())])
    heard = decode(out).sound_span()
    spoken = heard[1] - heard[0]
    assert spoken == pytest.approx(_speech_seconds(direct), abs=0.03)
    assert abs(spoken - _speech_seconds(english)) > 0.3


def test_an_english_only_model_keeps_the_voice_language(catalogue, detector) -> None:
    plan = make_plan("Guten Tag, wie geht es Ihnen heute?",
                     SynthesisOptions(model_id="eleven_turbo_v2"), catalogue, detector)
    assert [job.language for job in plan.jobs] == [None]


def test_an_english_only_model_never_spells_another_script_as_letters(catalogue,
                                                                      detector) -> None:
    plan = make_plan("Привет! Это простой пример.", SynthesisOptions(model_id="eleven_turbo_v2"),
                     catalogue, detector)
    assert [job.language for job in plan.jobs] == ["ru"]


def test_a_chunk_too_short_to_tell_takes_the_language_of_the_text(catalogue, detector) -> None:
    # the seed's example 5: fastText gives "Вдох." alone ru at 0.35, below its threshold
    plan = make_plan("Вдох. Задержите дыхание. Выдох.",
                     SynthesisOptions(split_type=SplitType.sentences), catalogue, detector)
    assert [job.language for job in plan.jobs] == ["ru", "ru", "ru"]


def test_a_short_chunk_takes_its_paragraph_language(catalogue, detector) -> None:
    text = ("Привіт! Це тестовий текст, щоб перевірити всі налаштування.\n\n"
            "Вдох. Задержите дыхание, пожалуйста, и считайте до десяти.")
    plan = make_plan(text, SynthesisOptions(split_type=SplitType.sentences), catalogue, detector)
    assert [job.language for job in plan.jobs] == ["uk", "uk", "ru", "ru"]


def test_the_seed_meditation_reads_its_first_word_in_russian(tmp_path, pool, catalogue, detector,
                                                              engine) -> None:
    """On espeak-ng, whose Russian is what every engine's Russian chunk is spoken with."""
    text = "Вдох. Задержите дыхание. Выдох."
    out = tmp_path / "out.mp3"
    synthesize(text, out, pool, catalogue, detector, split_type=SplitType.sentences,
               voice_settings=VoiceSettings(stability=0.8),
               pauses=PausePlan(enabled=True, duration=15.0))
    voice = catalogue.get(SynthesisOptions().voice_id)
    settings = VoiceSettings(stability=0.8)
    russian = np.concatenate([p.samples for p in engine.synthesize("Вдох.", voice, settings, "ru")])
    english = np.concatenate([p.samples for p in engine.synthesize("Вдох.", voice, settings)])
    first = decode(out).sound_span()[0]
    heard = [start - first for start, _ in decode(out).gaps(minimum=1.0)]
    # the first long pause starts where "Вдох." ends
    assert heard[0] == pytest.approx(_speech_seconds(russian), abs=0.03)
    assert abs(_speech_seconds(russian) - _speech_seconds(english)) > 0.2


def test_an_explicit_language_code_wins(catalogue, detector) -> None:
    plan = make_plan("Привет! Это простой пример.", SynthesisOptions(language_code="uk"),
                     catalogue, detector)
    assert [job.language for job in plan.jobs] == ["uk"]


class BrokenEngine(EspeakEngine):
    def synthesize(self, text: str, voice: Voice, settings: VoiceSettings,
                   language: str | None = None) -> Iterator[Speech]:
        if "boom" in text:
            raise RuntimeError("the engine broke")
        return super().synthesize(text, voice, settings, language)


def test_a_failed_chunk_fails_the_run_and_leaves_no_partial_file(
        tmp_path: Path, catalogue: VoiceCatalogue, detector: LanguageDetector) -> None:
    out = tmp_path / "broken.mp3"
    with WorkerPool(1, BrokenEngine) as pool:
        with pytest.raises(EngineError, match=f"^chunk 2: {re.escape(INTERNAL_ERROR)}$"):
            synthesize("Fine. Then boom. Fine again.", out, pool, catalogue, detector,
                       split_type=SplitType.sentences)
        assert list(tmp_path.iterdir()) == []
        # the pool is clean for the next task
        result = synthesize("All fine. Really.", out, pool, catalogue, detector,
                            split_type=SplitType.sentences)
    assert result.chunks == 2
    assert decode(out).duration == pytest.approx(result.duration, abs=1e-6)


def test_an_engine_crash_fails_the_chunk_and_spares_the_worker(
        tmp_path: Path, catalogue: VoiceCatalogue, detector: LanguageDetector) -> None:
    with WorkerPool(1, DyingEngine) as pool:
        with pytest.raises(EngineError, match=r"chunk 2: the engine crashed \(exit status 1\)"):
            synthesize("Fine. Then die.", tmp_path / "dead.mp3", pool, catalogue, detector,
                       split_type=SplitType.sentences)
        assert pool.healthy
        result = synthesize("Fine again.", tmp_path / "alive.mp3", pool, catalogue, detector)
    assert result.chunks == 1


def test_a_killed_worker_fails_the_run_instead_of_hanging(
        tmp_path: Path, catalogue: VoiceCatalogue, detector: LanguageDetector) -> None:
    with WorkerPool(1, SlowEngine) as pool:
        [worker] = [psutil.Process(pid) for pid in pool.pids]
        text = "Fine. " * 3
        plan = make_plan(text, SynthesisOptions(split_type=SplitType.sentences), catalogue, detector)
        results = pool.render(plan.spec, plan.jobs)
        worker.kill()
        with pytest.raises(EngineError, match="worker process died"):
            list(results)
        deadline = time.monotonic() + 5
        while pool.healthy and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not pool.healthy


class SlowEngine(EspeakEngine):
    def synthesize(self, text: str, voice: Voice, settings: VoiceSettings,
                   language: str | None = None) -> Iterator[Speech]:
        time.sleep(1)
        return super().synthesize(text, voice, settings, language)


def test_a_chunk_sounds_the_same_whichever_worker_renders_it(
        tmp_path: Path, pool: WorkerPool, catalogue: VoiceCatalogue,
        detector: LanguageDetector) -> None:
    # espeak-ng's output depends on what it spoke before; each chunk starts from a clean engine
    text = "One more time. " * 6
    plan = make_plan(text, SynthesisOptions(split_type=SplitType.sentences), catalogue, detector)
    segments = [rendered.segment.data for rendered in pool.render(plan.spec, plan.jobs)]
    assert len(set(segments[:-1])) == 1  # the last chunk differs: no gap after it


class DyingEngine(EspeakEngine):
    def synthesize(self, text: str, voice: Voice, settings: VoiceSettings,
                   language: str | None = None) -> Iterator[Speech]:
        if "die" in text:
            os._exit(1)
        return super().synthesize(text, voice, settings, language)


def _speech_seconds(samples: np.ndarray) -> float:
    loud = np.flatnonzero(np.abs(samples) > 327)
    return (loud[-1] - loud[0]) / 22_050


@pytest.mark.parametrize(("text", "split_type", "language"), [
    ("Привет! Это простой пример.", SplitType.smart, "ru"),
    ("Глава 1. Текст главы...\n\nГлава 2. Текст главы...", SplitType.paragraphs, "ru"),
    ("Вопрос 1? Вопрос 2? Вопрос 3?", SplitType.sentences, "ru"),
    ("Длинный текст подкаста...", SplitType.smart, "ru"),
    ("Вдох. Задержите дыхание. Выдох.", SplitType.sentences, "ru"),
    ("Привіт! Це тестовий текст, щоб перевірити всі налаштування.", SplitType.smart, "uk"),
    ("Текст с паузами.", SplitType.smart, "ru"),
])
def test_every_seed_example_is_read_in_its_language(catalogue, detector, text: str,
                                                    split_type: SplitType,
                                                    language: str) -> None:
    plan = make_plan(text, SynthesisOptions(split_type=split_type), catalogue, detector)
    assert {job.language for job in plan.jobs} == {language}
