"""Cues and words as files: SubRip, WebVTT, and word-level JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from voicer.captions.cues import Cue, cues
from voicer.captions.timeline import Timeline


def clock(seconds: float, separator: str) -> str:
    """``HH:MM:SS,mmm`` (SubRip: ``separator`` ``,``) or ``HH:MM:SS.mmm`` (WebVTT: ``.``)."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    whole, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}{separator}{millis:03d}"


def srt(made: Sequence[Cue]) -> str:
    return "\n".join(f"{number}\n{clock(cue.start, ',')} --> {clock(cue.end, ',')}\n{cue.text}\n"
                     for number, cue in enumerate(made, 1))


def vtt(made: Sequence[Cue]) -> str:
    return "\n".join(["WEBVTT\n", *(f"{clock(cue.start, '.')} --> {clock(cue.end, '.')}\n"
                                    f"{cue.text}\n" for cue in made)])


def words_json(timeline: Timeline, made: Sequence[Cue]) -> str:
    """Every word with its times and where it is in the text, and the cues."""
    return json.dumps({
        "duration": round(timeline.duration, 3),
        "words": [{"text": word.text, "start": word.start, "end": word.end,
                   "text_offset": word.text_offset} for word in timeline.words],
        "cues": [{"start": cue.start, "end": cue.end, "text": cue.text} for cue in made],
    }, ensure_ascii=False)


# format → (file extension, media type, writer)
FORMATS: dict[str, tuple[str, str, Callable[[Timeline, Sequence[Cue]], str]]] = {
    "srt": ("srt", "application/x-subrip", lambda _, made: srt(made)),
    "vtt": ("vtt", "text/vtt; charset=utf-8", lambda _, made: vtt(made)),
    "json": ("json", "application/json", words_json),
}


def write(timeline: Timeline, name: str) -> str:
    """The captions of ``timeline`` in the format called ``name`` (one of FORMATS)."""
    return FORMATS[name][2](timeline, cues(timeline.words))
