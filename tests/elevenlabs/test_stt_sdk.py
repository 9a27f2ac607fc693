"""The official SDK's speech to text against a live Voicer: a round trip through its own TTS."""

from __future__ import annotations

import base64
import re
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest
from elevenlabs import (
    ElevenLabs,
    ExportOptions_SegmentedJson,
    ExportOptions_Srt,
    ExportOptions_Txt,
    ForcedAlignmentResponseModel,
    SpeechToTextChunkResponseModel,
    SrtExportOptions,
)
from elevenlabs.core.api_error import ApiError

from tests.api.conftest import Server
from tests.elevenlabs.conftest import sdk_on
from tests.recognition.speech import ADAM, PARAGRAPH, RUSSIAN
from tests.recognition.test_whisper import timing_errors
from voicer.recognition.wer import word_error_rate


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory,
         whisper_dir: Path) -> Iterator[tuple[Server, ElevenLabs]]:
    with sdk_on(tmp_path_factory.mktemp("stt"), {"VOICER_STT_MODEL": str(whisper_dir)}) as live:
        yield live


@pytest.fixture(scope="module")
def server(live: tuple[Server, ElevenLabs]) -> Server:
    return live[0]


@pytest.fixture(scope="module")
def client(live: tuple[Server, ElevenLabs]) -> ElevenLabs:
    return live[1]


# Whisper's word starts against the voice's estimated ones: the median error, seconds
TIMING = 0.1


def speak(client: ElevenLabs, voice_id: str) -> tuple[bytes, list[tuple[str, float]]]:
    """PARAGRAPH spoken by Voicer, and when each word starts by its alignment."""
    answer = client.text_to_speech.convert_with_timestamps(voice_id, text=PARAGRAPH)
    starts = answer.alignment.character_start_times_seconds
    words = [(match.group(), starts[match.start()]) for match in re.finditer(r"\S+", PARAGRAPH)]
    return base64.b64decode(answer.audio_base_64), words


@pytest.fixture(scope="module")
def spoken(client: ElevenLabs) -> tuple[bytes, list[tuple[str, float]]]:
    """By the male neural voice, whose word starts come from its graph's phoneme durations
    (``tests/recognition`` checks Whisper's times against espeak-ng's exact ones)."""
    return speak(client, ADAM)


@pytest.fixture(scope="module")
def spoken_by_espeak(client: ElevenLabs) -> tuple[bytes, list[tuple[str, float]]]:
    """By espeak-ng, whose word starts are exact."""
    return speak(client, "en-us-espeak")


def test_speech_to_text_returns_what_was_spoken_with_word_times(
        client: ElevenLabs, spoken: tuple[bytes, list[tuple[str, float]]]) -> None:
    audio, words = spoken
    result = client.speech_to_text.convert(
        model_id="scribe_v1", file=("paragraph.mp3", audio, "audio/mpeg"),
        additional_formats=[ExportOptions_Srt(), ExportOptions_Txt(),
                            ExportOptions_SegmentedJson(include_speakers=True)])
    assert isinstance(result, SpeechToTextChunkResponseModel)
    assert result.language_code == "eng" and result.language_probability > 0.5
    assert word_error_rate(PARAGRAPH, result.text) <= 0.05
    heard = [word for word in result.words if word.type == "word"]
    assert all(word.logprob <= 0 and word.start is not None and word.end is not None
               for word in heard)
    assert all(word.type == "spacing" for word in result.words[1::2])
    errors = [abs(e) for e in timing_errors(words, [(w.text, w.start or 0.0) for w in heard])]
    assert len(errors) >= 0.95 * len(words) and statistics.median(errors) <= TIMING
    assert [f.requested_format for f in result.additional_formats or []] == [
        "srt", "txt", "segmented_json"]
    srt = result.additional_formats[0]
    assert srt.file_extension == "srt" and srt.content.startswith("1\n00:00:00,")
    assert result.additional_formats[1].content.strip() == result.text


def test_long_audio_is_recognised_in_pieces_on_one_clock(client: ElevenLabs) -> None:
    text = " ".join([PARAGRAPH] * 2)
    audio = b"".join(client.text_to_speech.convert(ADAM, text=text))
    result = client.speech_to_text.convert(model_id="scribe_v1", file=("long.mp3", audio))
    assert isinstance(result, SpeechToTextChunkResponseModel)
    assert (result.audio_duration_secs or 0) > 30  # past LONG_AUDIO: cut, in worker processes
    assert word_error_rate(text, result.text) <= 0.08
    starts = [word.start or 0.0 for word in result.words if word.type == "word"]
    assert starts == sorted(starts) and starts[-1] > 28


def test_russian_spoken_by_voicer_is_detected(client: ElevenLabs) -> None:
    audio = b"".join(client.text_to_speech.convert("ru-dmitry", text=RUSSIAN))
    result = client.speech_to_text.convert(model_id="scribe_v1", file=("ru.mp3", audio))
    assert isinstance(result, SpeechToTextChunkResponseModel)
    assert result.language_code == "rus" and result.words


def test_characters_and_speakers_when_asked(
        client: ElevenLabs, spoken: tuple[bytes, list[tuple[str, float]]]) -> None:
    result = client.speech_to_text.convert(
        model_id="scribe_v2", file=spoken[0], language_code="en",
        timestamps_granularity="character", diarize=True, num_speakers=1, tag_audio_events=False)
    assert isinstance(result, SpeechToTextChunkResponseModel)
    word = result.words[0]
    assert word.speaker_id == "speaker_0" and word.characters
    assert "".join(c.text for c in word.characters) == word.text
    assert word.characters[0].start == word.start


def test_forced_alignment_times_every_word_of_the_text(
        client: ElevenLabs, spoken_by_espeak: tuple[bytes, list[tuple[str, float]]]) -> None:
    audio, words = spoken_by_espeak
    result = client.forced_alignment.create(file=("paragraph.mp3", audio, "audio/mpeg"),
                                            text=PARAGRAPH)
    assert isinstance(result, ForcedAlignmentResponseModel)
    assert [w.text for w in result.words] == PARAGRAPH.split()
    assert "".join(c.text for c in result.characters) == PARAGRAPH
    assert 0 <= result.loss < 0.2
    errors = [abs(w.start - start) for w, (_, start) in zip(result.words, words, strict=True)]
    assert statistics.median(errors) <= 0.06 and max(errors) <= 0.35


def test_forced_alignment_needs_a_text(client: ElevenLabs,
                                       spoken: tuple[bytes, list[tuple[str, float]]]) -> None:
    with pytest.raises(ApiError) as refused:
        client.forced_alignment.create(file=spoken[0], text="   ")
    assert refused.value.status_code == 400 and "text is empty" in str(refused.value.body)


def test_bad_uploads_are_refused_with_the_field_named(client: ElevenLabs) -> None:
    with pytest.raises(ApiError) as refused:
        client.speech_to_text.convert(model_id="scribe_v1", file=b"plain text, no audio" * 40)
    assert refused.value.status_code == 400 and "file is not audio" in str(refused.value.body)
    with pytest.raises(ApiError) as refused:  # the SDK sends SrtExportOptions() as {}: no format
        client.speech_to_text.convert(model_id="scribe_v1", file=b"x",
                                      additional_formats=[SrtExportOptions()])
    assert refused.value.status_code == 400 and "ExportOptions_Srt" in str(refused.value.body)
    with pytest.raises(ApiError) as refused:
        client.speech_to_text.convert(model_id="whisper_large", file=b"x")
    assert refused.value.status_code == 400
    assert refused.value.body["detail"]["status"] == "model_not_found"
