"""Diarization on a synthetic dialogue: a female and a male espeak-ng voice taking turns."""

from __future__ import annotations

import io
from collections import Counter

import numpy as np
import pytest

from tests.conftest import espeak_catalogue
from tests.recognition.speech import ADAM, PARAGRAPH, RACHEL, speak, wav
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.pipeline.pool import WorkerPool
from voicer.recognition.base import Segment, Transcript, Word
from voicer.recognition.clip import Clip, decode
from voicer.recognition.speakers import diarize, kmeans
from voicer.recognition.whisper import WhisperRecognizer
from voicer.voice_settings import VoiceSettings

TURNS = [
    (RACHEL, "Good morning. Did you sleep well last night?"),
    (ADAM, "Not really. The neighbours were playing music until two."),
    (RACHEL, "That sounds awful. Would you like some coffee?"),
    (ADAM, "Yes please, a large one with milk."),
    (RACHEL, "Here you are. What are your plans for today?"),
    (ADAM, "I have to finish a report and then go to the bank."),
]


@pytest.fixture(scope="module")
def dialogue(pool: WorkerPool) -> tuple[Clip, list[tuple[float, float, str]]]:
    """The dialogue as one clip, and who speaks from when to when."""
    catalogue, pieces, turns, clock = espeak_catalogue(), [], [], 0.0
    for voice_id, text in TURNS:
        spec = RenderSpec(catalogue.get(voice_id), VoiceSettings(), None)
        spoken = next(pool.speak(spec, [ChunkJob(0, text, None, 0.0)])).audio.samples
        samples = np.concatenate([spoken, np.zeros(int(0.7 * 22_050), dtype=np.int16)])
        turns.append((clock, clock + len(samples) / 22_050, voice_id))
        clock += len(samples) / 22_050
        pieces.append(samples)
    return decode(io.BytesIO(wav(np.concatenate(pieces), 22_050)), 600), turns


def right_share(transcript: Transcript, turns: list[tuple[float, float, str]]) -> float:
    """The share of words whose speaker label is their voice's, labels mapped by majority."""
    pairs = []
    for segment in transcript.segments:
        for word in segment.words:
            middle = (word.start + word.end) / 2
            truth = next((who for start, end, who in turns if start <= middle < end), None)
            pairs.append((segment.speaker, truth))
    mapping = {label: Counter(t for said, t in pairs if said == label).most_common(1)[0][0]
               for label in {said for said, _ in pairs}}
    return sum(mapping[label] == truth for label, truth in pairs) / len(pairs)


def test_two_voices_with_the_hint(dialogue: tuple[Clip, list], recognizer: WhisperRecognizer) -> None:
    clip, turns = dialogue
    transcript = diarize(recognizer.recognize(clip), clip, num_speakers=2)
    assert {s.speaker for s in transcript.segments} == {"speaker_0", "speaker_1"}
    assert transcript.segments[0].speaker == "speaker_0"
    assert right_share(transcript, turns) >= 0.9


def test_two_voices_found_without_the_hint(dialogue: tuple[Clip, list],
                                           recognizer: WhisperRecognizer) -> None:
    clip, turns = dialogue
    transcript = diarize(recognizer.recognize(clip), clip)
    assert len({s.speaker for s in transcript.segments}) == 2
    assert right_share(transcript, turns) >= 0.9


def test_one_voice_stays_one_speaker(pool: WorkerPool, recognizer: WhisperRecognizer) -> None:
    clip = speak(pool, PARAGRAPH).clip
    transcript = diarize(recognizer.recognize(clip), clip)
    assert {s.speaker for s in transcript.segments} == {"speaker_0"}


def test_kmeans_is_deterministic() -> None:
    points = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [0.0, 0.1]])
    assert kmeans(points, 2) == kmeans(points, 2) == [0, 0, 1, 1, 0]


def test_a_transcript_without_words_is_one_speaker() -> None:
    silent = Transcript((Segment(0.0, 1.0, "", ()),), "en", 0.5, 1.0)
    out = diarize(silent, Clip(np.zeros(16_000, dtype=np.float32)), 2)
    assert out.segments[0].speaker == "speaker_0"


def test_a_segment_is_cut_where_the_speaker_changes() -> None:
    words = tuple(Word(text, i * 0.5, i * 0.5 + 0.4, 0.9) for i, text in enumerate(["a", "b", "c", "d"]))
    low = np.sin(2 * np.pi * 100 * np.arange(16_000) / 16_000).astype(np.float32)
    high = np.sin(2 * np.pi * 300 * np.arange(16_000) / 16_000).astype(np.float32)
    clip = Clip(np.concatenate([low, high]) * 0.5)
    out = diarize(Transcript((Segment(0.0, 2.0, "a b c d", words),), "en", 0.9, 2.0), clip, 2)
    assert [(s.text, s.speaker) for s in out.segments] == [("a b", "speaker_0"),
                                                           ("c d", "speaker_1")]
