"""``<phoneme>`` and a dictionary's phoneme rules on hibari and Piper: the word is said as its
phonemes (Whisper hears the phonemes' word, not the written one), in IPA and CMU ARPAbet, a
symbol the voice lacks left out, and the word's time still on the word."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.recognition.speech import wav
from tests.tiny_piper import SAMPLES_PER_ID, write_voice
from voicer.engines.neural import operator_voices
from voicer.engines.piper import PiperEngine
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.pipeline.pool import WorkerPool
from voicer.pronunciation.rules import PhonemeRule
from voicer.recognition.clip import decode
from voicer.recognition.wer import words
from voicer.recognition.whisper import WhisperRecognizer
from voicer.voice_settings import VoiceSettings
from voicer.voices import VoiceCatalogue

VOICES = ["en-us-heart", "en-us-joe"]
IPA = '<phoneme alphabet="ipa" ph="pəˈteɪtoʊ">tomato</phoneme>'
ARPABET = '<phoneme alphabet="cmu-arpabet" ph="P AH0 T EY1 T OW2">tomato</phoneme>'


def heard(neural: tuple[WorkerPool, VoiceCatalogue], recognizer: WhisperRecognizer,
          voice_id: str, text: str, *rules: PhonemeRule) -> tuple[list[str], dict[str, float]]:
    """What Whisper hears of ``text``, and when the engine said each of the caller's words
    started (seconds)."""
    pool, voices = neural
    spec = RenderSpec(voices.get(voice_id), VoiceSettings(), None, lexicon=rules)
    piece = next(pool.speak(spec, [ChunkJob(0, text, None, 0.0)]))
    rate = piece.audio.rate
    clip = decode(io.BytesIO(wav(piece.audio.samples, rate)), 60)
    starts = {text[w.text_offset:w.text_offset + w.length]: w.sample / rate for w in piece.words}
    return words(recognizer.recognize(clip, "en").text), starts


@pytest.mark.parametrize("voice_id", VOICES)
def test_the_written_word_is_heard_without_phonemes(neural: tuple[WorkerPool, VoiceCatalogue],
                                                    recognizer: WhisperRecognizer,
                                                    voice_id: str) -> None:
    said, _ = heard(neural, recognizer, voice_id, "I would like a tomato, please.")
    assert "tomato" in said and "potato" not in said


@pytest.mark.parametrize("voice_id", VOICES)
@pytest.mark.parametrize(("element", "ssml"), [(IPA, False), (ARPABET, False), (IPA, True)])
def test_a_phoneme_element_is_said_as_its_phonemes(neural: tuple[WorkerPool, VoiceCatalogue],
                                                   recognizer: WhisperRecognizer,
                                                   voice_id: str, element: str,
                                                   ssml: bool) -> None:
    text = f"I would like a {element}, please."
    text = f"<speak>{text}</speak>" if ssml else text
    said, starts = heard(neural, recognizer, voice_id, text)
    assert "potato" in said and "tomato" not in said, said
    def start(word: str) -> float:  # of the caller's word that begins so
        return next(at for written, at in starts.items() if written.startswith(word))

    assert start("a") < start("<phoneme") < start("please"), starts


@pytest.mark.parametrize("voice_id", VOICES)
def test_a_dictionary_phoneme_rule_applies(neural: tuple[WorkerPool, VoiceCatalogue],
                                           recognizer: WhisperRecognizer, voice_id: str) -> None:
    rule = PhonemeRule(string_to_replace="tomato", phoneme="pəˈteɪtoʊ")
    said, _ = heard(neural, recognizer, voice_id, "I would like a tomato, please.", rule)
    assert "potato" in said and "tomato" not in said, said


def test_a_symbol_the_voice_lacks_is_left_out(tmp_path: Path) -> None:
    """An operator's Piper voice without "ɚ" (the tiny one: 256 samples per phoneme id, each
    phoneme followed by the pad): "b3d" is said as "bd", "bId" as "bɪd"."""
    write_voice(tmp_path, "tiny", language="en_US", espeak_voice="en-us")
    ((voice, model),) = operator_voices(tmp_path).items()
    engine = PiperEngine({voice.voice_id: str(model)})
    lacking = [p.samples.size for p in engine.synthesize("[[b3d]]", voice, VoiceSettings())]
    known = [p.samples.size for p in engine.synthesize("[[bId]]", voice, VoiceSettings())]
    assert lacking == [(2 + 2 * 2 + 1) * SAMPLES_PER_ID]  # ^ _ b _ d _ $
    assert known == [(2 + 2 * 3 + 1) * SAMPLES_PER_ID]
