import subprocess
import sys
import textwrap

import numpy as np
import pytest

from voicer.engines.espeak import EspeakEngine, EspeakVoice, espeak_params
from voicer.voice_settings import VoiceSettings
from voicer.voices import VoiceCatalogue

TEXT = "The quick brown fox jumps over the lazy dog. It was 2024 then."


def speak(engine: EspeakEngine, catalogue: VoiceCatalogue, text: str = TEXT,
          voice_id: str = "21m00Tcm4TlvDq8ikWAM", language: str | None = None,
          **settings: float) -> tuple[np.ndarray, list]:
    pieces = list(engine.synthesize(text, catalogue.get(voice_id), VoiceSettings(**settings),
                                    language))
    samples = np.concatenate([piece.samples for piece in pieces])
    return samples, [word for piece in pieces for word in piece.words]


def test_speaks_22050_hz_16_bit_mono_in_pieces(engine: EspeakEngine,
                                               catalogue: VoiceCatalogue) -> None:
    pieces = list(engine.synthesize(TEXT * 5, catalogue.get("21m00Tcm4TlvDq8ikWAM"),
                                    VoiceSettings()))
    assert engine.format.rate == 22_050 and engine.format.width == 2
    assert len(pieces) > 1
    assert all(piece.samples.dtype == np.int16 for piece in pieces)
    samples = np.concatenate([piece.samples for piece in pieces])
    assert 15 < len(samples) / 22_050 < 40
    assert np.abs(samples).max() > 3_000


def test_word_events_point_at_words_in_order(engine: EspeakEngine, catalogue: VoiceCatalogue) -> None:
    samples, words = speak(engine, catalogue)
    spoken = [TEXT[w.text_offset:w.text_offset + w.length] for w in words]
    assert spoken[:4] == ["The", "quick", "brown", "fox"]
    assert "2024" in spoken
    starts = [w.sample for w in words]
    assert starts == sorted(starts) and starts[-1] < len(samples)


def test_word_offsets_count_characters_in_cyrillic(engine: EspeakEngine,
                                                   catalogue: VoiceCatalogue) -> None:
    text = "Привіт! Це тестовий текст."
    _, words = speak(engine, catalogue, text, "uk-oksana")
    assert [text[w.text_offset:w.text_offset + w.length] for w in words] == [
        "Привіт", "Це", "тестовий", "текст"]


def test_speed_changes_the_rate(engine: EspeakEngine, catalogue: VoiceCatalogue) -> None:
    slow, _ = speak(engine, catalogue, speed=0.7)
    fast, _ = speak(engine, catalogue, speed=1.2)
    assert len(slow) / len(fast) == pytest.approx(1.2 / 0.7, rel=0.2)


def test_stability_narrows_the_intonation(catalogue: VoiceCatalogue) -> None:
    voice = catalogue.get("21m00Tcm4TlvDq8ikWAM")
    calm = espeak_params(VoiceSettings(stability=1.0), voice)
    lively = espeak_params(VoiceSettings(stability=0.0, style=1.0), voice)
    default = espeak_params(VoiceSettings(), voice)
    assert (calm.pitch_range, default.pitch_range, lively.pitch_range) == (20, 50, 100)
    assert default.rate == 175


def test_a_language_switches_the_voice_but_keeps_its_variant(engine: EspeakEngine,
                                                             catalogue: VoiceCatalogue) -> None:
    voice = catalogue.get("21m00Tcm4TlvDq8ikWAM")
    own = EspeakVoice.of(voice)
    assert engine.voice_name(voice, "uk") == f"uk+{own.variant}"
    assert engine.voice_name(voice, "zh") == f"cmn+{own.variant}"
    assert engine.voice_name(voice, None) == f"{own.name}+{own.variant}"


def test_ukrainian_text_sounds_different_in_ukrainian(engine: EspeakEngine,
                                                      catalogue: VoiceCatalogue) -> None:
    text = "Привіт! Це тестовий текст, щоб перевірити всі налаштування."
    ukrainian, _ = speak(engine, catalogue, text, language="uk")
    english, _ = speak(engine, catalogue, text)
    assert abs(len(ukrainian) - len(english)) / len(english) > 0.1


def test_engines_of_one_process_share_the_library_safely() -> None:
    """libespeak-ng is one per process: an engine that went away must not leave it calling
    freed memory, nor another engine's voice or speed in place."""
    code = textwrap.dedent("""
        import ctypes, gc
        from voicer.engines.espeak import EspeakEngine
        from voicer.voice_settings import VoiceSettings
        from voicer.voices import VoiceCatalogue
        voice = VoiceCatalogue.bundled().get("de-klaus")
        first = EspeakEngine()
        before = sum(len(p.audio) for p in first.synthesize("Hello there.", voice, VoiceSettings(), "en"))
        second = EspeakEngine()
        list(second.synthesize("Schnell.", voice, VoiceSettings(speed=1.2), "de"))
        del second
        gc.collect()
        thunks = [ctypes.CFUNCTYPE(ctypes.c_int)(lambda: 0) for _ in range(2000)]
        after = sum(len(p.audio) for p in first.synthesize("Hello there.", voice, VoiceSettings(), "en"))
        print(before, after)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    before, after = map(int, done.stdout.split())
    assert after == pytest.approx(before, rel=0.005)  # the same voice and speed as at first
