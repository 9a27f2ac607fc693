"""A transcript as files: SubRip and WebVTT subtitles, plain text, segmented JSON.

Each export regroups the words into segments its options ask for (a new segment after a long
enough silence, at a speaker change, or when one grows past a duration or character count),
then writes them; ElevenLabs' ``additional_formats`` and ``voicer transcribe -o`` use these.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from voicer.captions.formats import clock
from voicer.recognition.base import Segment, Transcript, Word


@dataclass(frozen=True, slots=True)
class ExportOptions:
    include_speakers: bool = False
    include_timestamps: bool | None = None  # None: each format's own default (txt: no)
    segment_on_silence_longer_than_s: float | None = None
    max_segment_duration_s: float | None = None
    max_segment_chars: int | None = None
    max_characters_per_line: int | None = None


@dataclass(frozen=True, slots=True)
class Export:
    extension: str
    content_type: str
    content: str


def regroup(transcript: Transcript, options: ExportOptions) -> list[Segment]:
    """The transcript's segments, cut further as ``options`` ask."""
    cut: list[Segment] = []
    for segment in transcript.segments:
        words: list[Word] = []
        for word in segment.words:
            if words and _breaks(words, word, options):
                cut.append(_segment(words, segment.speaker))
                words = []
            words.append(word)
        if words:
            cut.append(_segment(words, segment.speaker))
    return cut


def _breaks(words: list[Word], word: Word, options: ExportOptions) -> bool:
    silence = options.segment_on_silence_longer_than_s
    longest = options.max_segment_duration_s
    most = options.max_segment_chars
    return bool((silence is not None and word.start - words[-1].end > silence)
                or (longest is not None and word.end - words[0].start > longest)
                or (most is not None and sum(len(w.text) + 1 for w in words) + len(word.text) > most))


def _segment(words: list[Word], speaker: str | None) -> Segment:
    return Segment(words[0].start, words[-1].end, " ".join(w.text for w in words), tuple(words),
                   speaker)


def srt(transcript: Transcript, options: ExportOptions = ExportOptions()) -> Export:
    blocks = []
    for number, segment in enumerate(regroup(transcript, options), 1):
        text = _labelled(segment, options)
        if options.max_characters_per_line:
            text = "\n".join(textwrap.wrap(text, options.max_characters_per_line))
        blocks.append(f"{number}\n{clock(segment.start, ',')} --> {clock(segment.end, ',')}\n"
                      f"{text}\n")
    return Export("srt", "application/x-subrip", "\n".join(blocks))


def vtt(transcript: Transcript, options: ExportOptions = ExportOptions()) -> Export:
    """WebVTT: the same cues as ``srt``, under a ``WEBVTT`` header, with dots in the times."""
    cues = [f"{clock(segment.start, '.')} --> {clock(segment.end, '.')}\n"
            f"{_labelled(segment, options)}\n" for segment in regroup(transcript, options)]
    return Export("vtt", "text/vtt", "\n".join(["WEBVTT\n", *cues]))


def txt(transcript: Transcript, options: ExportOptions = ExportOptions()) -> Export:
    segments = regroup(transcript, options)
    if not options.include_timestamps and not options.include_speakers:
        return Export("txt", "text/plain", transcript.text + "\n")
    lines = []
    for segment in segments:
        stamp = (f"[{clock(segment.start, '.')} - {clock(segment.end, '.')}] "
                 if options.include_timestamps else "")
        lines.append(stamp + _labelled(segment, options))
    return Export("txt", "text/plain", "\n".join(lines) + "\n")


def segmented_json(transcript: Transcript, options: ExportOptions = ExportOptions()) -> Export:
    segments = [{"text": segment.text, "start_time": segment.start, "end_time": segment.end,
                 "speaker_id": segment.speaker,
                 "words": [{"text": w.text, "start": w.start, "end": w.end} for w in segment.words]}
                for segment in regroup(transcript, options)]
    return Export("json", "application/json",
                  json.dumps({"language_code": transcript.language, "segments": segments},
                             ensure_ascii=False))


EXPORTS: dict[str, Callable[[Transcript, ExportOptions], Export]] = {
    "srt": srt, "txt": txt, "segmented_json": segmented_json}


def as_json(transcript: Transcript) -> dict[str, Any]:
    """The whole transcript: language, text, and segments with their speaker and words."""
    return {
        "language": transcript.language, "language_probability": transcript.language_probability,
        "duration": round(transcript.duration, 3), "text": transcript.text,
        "segments": [{"id": number, "start": segment.start, "end": segment.end,
                      "text": segment.text, "speaker": segment.speaker,
                      "words": [{"text": w.text, "start": w.start, "end": w.end,
                                 "probability": w.probability} for w in segment.words]}
                     for number, segment in enumerate(transcript.segments)]}


def file_content(transcript: Transcript, suffix: str) -> str:
    """What ``voicer transcribe -o`` writes for an output named ``*.srt``, ``*.txt`` or ``*.json``."""
    if suffix == ".json":
        return json.dumps(as_json(transcript), ensure_ascii=False, indent=1)
    speakers = any(segment.speaker for segment in transcript.segments)
    options = ExportOptions(include_speakers=speakers, include_timestamps=speakers or None)
    return {".srt": srt, ".txt": txt}[suffix](transcript, options).content


def _labelled(segment: Segment, options: ExportOptions) -> str:
    if options.include_speakers and segment.speaker:
        return f"{segment.speaker}: {segment.text}"
    return segment.text
