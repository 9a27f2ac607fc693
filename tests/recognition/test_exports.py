"""Transcripts as SubRip, plain text and segmented JSON."""

from __future__ import annotations

import json

from voicer.recognition.base import Segment, Transcript, Word
from voicer.recognition.exports import ExportOptions, regroup, segmented_json, srt, txt
from voicer.recognition.wer import word_error_rate


def transcript() -> Transcript:
    first = Segment(0.0, 1.2, "Hello there.", (Word("Hello", 0.0, 0.5, 0.9),
                                                Word("there.", 0.6, 1.2, 0.8)), "speaker_0")
    second = Segment(3.0, 3661.5, "Good night.", (Word("Good", 3.0, 3.4, 0.9),
                                                   Word("night.", 3661.0, 3661.5, 0.9)),
                     "speaker_1")
    return Transcript((first, second), "en", 0.99, 3662.0)


def test_srt_numbers_and_times_each_segment() -> None:
    made = srt(transcript())
    assert made.extension == "srt"
    assert made.content.startswith("1\n00:00:00,000 --> 00:00:01,200\nHello there.\n\n2\n"
                                   "00:00:03,000 --> 01:01:01,500\nGood night.\n")


def test_txt_is_the_text_or_timed_lines_with_speakers() -> None:
    assert txt(transcript()).content == "Hello there. Good night.\n"
    timed = txt(transcript(), ExportOptions(include_speakers=True,
                                           include_timestamps=True)).content
    assert timed.splitlines()[0] == "[00:00:00.000 - 00:00:01.200] speaker_0: Hello there."


def test_segments_are_cut_on_silence_and_length() -> None:
    assert len(regroup(transcript(), ExportOptions(segment_on_silence_longer_than_s=1.0))) == 3
    assert len(regroup(transcript(), ExportOptions(max_segment_chars=6))) == 4


def test_segmented_json_has_words_and_speakers() -> None:
    body = json.loads(segmented_json(transcript()).content)
    assert [s["speaker_id"] for s in body["segments"]] == ["speaker_0", "speaker_1"]
    assert body["segments"][0]["words"][1] == {"text": "there.", "start": 0.6, "end": 1.2}


def test_word_error_rate() -> None:
    assert word_error_rate("The cat sat.", "the cat sat") == 0.0
    assert word_error_rate("the cat sat on the mat", "the cat sat on a mat") == 1 / 6
    assert word_error_rate("a b", "") == 1.0 and word_error_rate("", "") == 0.0
