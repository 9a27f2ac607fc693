"""The official ``openai`` SDK's ``audio.transcriptions.create`` against a live Voicer: speech
Voicer made comes back as its words, in every response format."""

from __future__ import annotations

import io

import openai
import pytest
import srt
import webvtt
from openai import OpenAI

from tests.recognition.speech import PARAGRAPH
from voicer.recognition.wer import word_error_rate


@pytest.fixture(scope="module")
def spoken(client: OpenAI) -> bytes:
    """PARAGRAPH (five sentences, about 17 s) in the voice OpenAI calls echo."""
    return client.audio.speech.create(model="tts-1", voice="echo", input=PARAGRAPH).content


def transcribe(client: OpenAI, spoken: bytes, **asked: object) -> object:
    return client.audio.transcriptions.create(file=("paragraph.mp3", spoken), model="whisper-1",
                                              **asked)  # type: ignore[call-overload]


def test_round_trip(client: OpenAI, spoken: bytes) -> None:
    heard = transcribe(client, spoken, language="en", prompt="A diary.")
    assert isinstance(heard, openai.types.audio.Transcription)
    assert word_error_rate(PARAGRAPH, heard.text) <= 0.10
    assert heard.usage is not None and heard.usage.type == "duration"


def test_text(client: OpenAI, spoken: bytes) -> None:
    heard = transcribe(client, spoken, response_format="text")
    assert isinstance(heard, str) and word_error_rate(PARAGRAPH, heard) <= 0.10


def test_subtitles_parse(client: OpenAI, spoken: bytes) -> None:
    subtitles = list(srt.parse(str(transcribe(client, spoken, response_format="srt"))))
    captions = webvtt.from_buffer(io.StringIO(str(transcribe(client, spoken, response_format="vtt"))))
    assert len(subtitles) == len(captions) >= 2
    for subtitle, caption in zip(subtitles, captions, strict=True):
        assert subtitle.content == caption.text
        assert caption.start == srt.timedelta_to_srt_timestamp(subtitle.start).replace(",", ".")
        assert subtitle.start < subtitle.end
    said = " ".join(subtitle.content for subtitle in subtitles)
    assert word_error_rate(PARAGRAPH, said) <= 0.10
    assert 14 < subtitles[-1].end.total_seconds() < 25


def test_verbose_json_words_and_segments(client: OpenAI, spoken: bytes) -> None:
    heard = transcribe(client, spoken, response_format="verbose_json",
                       timestamp_granularities=["word", "segment"])
    assert isinstance(heard, openai.types.audio.TranscriptionVerbose)
    assert heard.language == "english" and heard.segments and heard.words
    assert len(heard.words) >= 0.9 * len(PARAGRAPH.split())
    starts = [word.start for word in heard.words]
    assert starts == sorted(starts) and heard.words[-1].end <= heard.duration + 0.05
    assert heard.segments[0].start <= heard.words[0].start < heard.segments[0].end
    words_only = transcribe(client, spoken, response_format="verbose_json",
                            timestamp_granularities=["word"])
    assert isinstance(words_only, openai.types.audio.TranscriptionVerbose)
    assert words_only.words and words_only.segments is None


def test_streamed_text(client: OpenAI, spoken: bytes) -> None:
    events = list(client.audio.transcriptions.create(file=("paragraph.mp3", spoken),
                                                     model="gpt-4o-mini-transcribe", stream=True))
    *deltas, done = events
    assert {event.type for event in deltas} == {"transcript.text.delta"}
    assert done.type == "transcript.text.done"
    assert "".join(event.delta for event in deltas) == done.text  # type: ignore[union-attr]


def test_refusals_in_openai_shape(client: OpenAI, spoken: bytes) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        transcribe(client, b"not audio at all")
    assert refused.value.response.json()["error"]["param"] == "file"
    with pytest.raises(openai.BadRequestError) as refused:
        client.audio.transcriptions.create(file=("paragraph.mp3", spoken), model="whisper-9")
    assert refused.value.response.json()["error"]["param"] == "model"
    with pytest.raises(openai.BadRequestError) as refused:
        transcribe(client, spoken, response_format="docx")
    assert refused.value.response.json()["error"]["param"] == "response_format"
