"""The neural engines (hibari, Piper) with their real models: deterministic, word timings in
order, espeak-ng's phonemes as Piper needs them, other languages left to espeak-ng, and no
network."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from voicer.engines.espeak import EspeakEngine, phonemize
from voicer.engines.neural import neural_engines
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.pipeline.pool import WorkerPool
from voicer.voice_settings import VoiceSettings
from voicer.voices import DEFAULT_VOICE_ID, Voice, VoiceCatalogue

TEXT = "Hello there, my friend. How are you today?"
FEMALE = "21m00Tcm4TlvDq8ikWAM"  # Rachel: hibari
MALE = "TxGEqnHWrfWFTfGW9XjX"  # Josh: Piper joe


@pytest.fixture(scope="module")
def voices(neural: tuple[WorkerPool, VoiceCatalogue]) -> VoiceCatalogue:
    return neural[1]


@pytest.fixture(scope="module")
def neural_pool(neural: tuple[WorkerPool, VoiceCatalogue]) -> WorkerPool:
    return neural[0]


def speak(pool: WorkerPool, voice: Voice, text: str, language: str | None = None) -> list:
    spec = RenderSpec(voice, VoiceSettings(), None)
    return list(pool.speak(spec, [ChunkJob(i, text, language, None) for i in range(2)]))


def test_the_default_and_premade_english_voices_are_neural(voices: VoiceCatalogue) -> None:
    assert voices.get(DEFAULT_VOICE_ID).engine == "hibari"
    assert voices.get(FEMALE).engine == "hibari"
    assert voices.get(MALE).engine == "piper"
    assert voices.get("en-us-espeak").engine == "espeak-ng"
    assert voices.get("ru-natalia").engine == "espeak-ng"
    # variants: not every premade id sounds the same
    premade = [v for v in voices if len(v.voice_id) == 20 and v.engine == "hibari"]
    assert len({(v.params["hibari"]["pitch"], v.params["hibari"]["pace"]) for v in premade}) >= 5


@pytest.mark.parametrize("voice_id", [FEMALE, MALE])
def test_a_text_sounds_the_same_every_time(neural_pool: WorkerPool, voices: VoiceCatalogue,
                                           voice_id: str) -> None:
    voice = voices.get(voice_id)
    first, second = speak(neural_pool, voice, TEXT)
    again, _ = speak(neural_pool, voice, TEXT)
    assert first.audio.rate == (24_000 if voice.engine == "hibari" else 22_050)
    assert first.audio.duration > 1.5
    assert np.array_equal(first.audio.samples, second.audio.samples)
    assert np.array_equal(first.audio.samples, again.audio.samples)
    assert first.words == second.words


@pytest.mark.parametrize("voice_id", [FEMALE, MALE])
def test_word_starts_follow_the_text_inside_the_audio(neural_pool: WorkerPool,
                                                      voices: VoiceCatalogue, voice_id: str) -> None:
    spoken, _ = speak(neural_pool, voices.get(voice_id), TEXT)
    offsets = [word.text_offset for word in spoken.words]
    samples = [word.sample for word in spoken.words]
    assert offsets == [TEXT.index(w) for w in ("Hello", "there", "my", "friend", "How", "are",
                                               "you", "today")]
    assert samples == sorted(samples) and len(set(samples)) == len(samples)
    assert samples[0] >= 0 and samples[-1] < len(spoken.audio)


def test_a_chunk_in_a_language_the_voice_lacks_goes_to_espeak_ng(
        neural_pool: WorkerPool, voices: VoiceCatalogue) -> None:
    russian, _ = speak(neural_pool, voices.get(FEMALE), "Привет, как дела?", "ru")
    english, _ = speak(neural_pool, voices.get(FEMALE), "Hello, how are you?", "en")
    assert russian.audio.rate == 22_050 and russian.audio.duration > 0.5  # espeak-ng's
    assert english.audio.rate == 24_000  # hibari's


def test_piper_reads_ipa_with_stress_and_clause_punctuation(engine: EspeakEngine) -> None:
    phonemes = phonemize("Hello there, my friend. How are you?", "en-us")
    assert "ˈ" in phonemes
    assert [c for c in phonemes if c in ",.?"] == [",", ".", "?"]


def test_nothing_is_fetched_from_the_network(monkeypatch: pytest.MonkeyPatch,
                                             engine: EspeakEngine) -> None:
    def refuse(*args: object) -> None:
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    [hibari, piper] = neural_engines()
    voices = VoiceCatalogue([*hibari.voices, *piper.voices])
    for registered in (hibari, piper):
        made = registered.make()
        voice = voices.get(FEMALE if registered is hibari else MALE)
        pieces = list(made.synthesize("Offline, as always.", voice, VoiceSettings()))
        assert sum(len(piece.audio) for piece in pieces) > 0

