"""``POST /v1/audio/transcriptions`` below HTTP: an upload recognised by the local Whisper
model (``whisper-1`` and OpenAI's other recognition models all stand for it) and the
transcript in the ``response_format`` asked.

``json``          ``{"text", "usage"}``
``text``          the text alone
``srt``, ``vtt``  subtitles, one cue per segment Whisper heard
``verbose_json``  language, duration, text, and ``segments`` and/or ``words`` as
                  ``timestamp_granularities[]`` asks (segments when it names neither)

``prompt`` and ``temperature`` are accepted and not used: the local model decodes greedily
without a prompt. Charged by the audio's duration, as all recognition is.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

from voicer.elevenlabs.shapes import language_name
from voicer.errors import InvalidInput, UnknownModel
from voicer.openai.names import TRANSCRIPTION_MODELS
from voicer.recognition.base import Recognizer, Transcript
from voicer.recognition.exports import srt, vtt
from voicer.recognition.languages import whisper_language
from voicer.recognition.listener import Listener

ResponseFormat = Literal["json", "text", "srt", "vtt", "verbose_json"]
Granularity = Literal["word", "segment"]

# The media type each answer that is not JSON is sent as.
MEDIA_TYPES = {"text": "text/plain; charset=utf-8", "srt": "application/x-subrip",
               "vtt": "text/vtt; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class Asked:
    """What a transcription request asks for, beyond the audio."""

    model: str
    response_format: ResponseFormat = "json"
    language: str | None = None
    granularities: frozenset[Granularity] = frozenset()


def transcribe(listener: Listener, user_id: str, file: BinaryIO, asked: Asked) -> Transcript:
    """The uploaded ``file`` recognised for ``user_id``, charged by its duration."""
    recognizer = _recognizer(listener, asked.model)
    language = whisper_language(asked.language, "language")
    return listener.listen(user_id, listener.clip(file), recognizer, language)


def answer(transcript: Transcript, asked: Asked) -> dict[str, Any] | str:
    """The transcript as ``response_format`` asks: a JSON object, or the text of a file."""
    if asked.response_format == "text":
        return transcript.text + "\n"
    if asked.response_format == "srt":
        return srt(transcript).content
    if asked.response_format == "vtt":
        return vtt(transcript).content
    if asked.response_format == "verbose_json":
        return verbose(transcript, asked.granularities)
    return {"text": transcript.text, "usage": usage(transcript)}


def verbose(transcript: Transcript, granularities: frozenset[Granularity]) -> dict[str, Any]:
    """OpenAI's ``TranscriptionVerbose``."""
    body: dict[str, Any] = {"task": "transcribe",
                            "language": language_name(transcript.language).lower(),
                            "duration": round(transcript.duration, 3), "text": transcript.text,
                            "usage": usage(transcript)}
    if "segment" in granularities or not granularities:
        body["segments"] = [_segment(number, segment.start, segment.end, segment.text,
                                     [word.probability for word in segment.words])
                            for number, segment in enumerate(transcript.segments)]
    if "word" in granularities:
        body["words"] = [{"word": word.text, "start": word.start, "end": word.end}
                         for word in transcript.words]
    return body


def usage(transcript: Transcript) -> dict[str, Any]:
    return {"type": "duration", "seconds": round(transcript.duration, 3)}


def _segment(number: int, start: float, end: float, text: str,
             probabilities: list[float]) -> dict[str, Any]:
    """A ``TranscriptionSegment``; what Whisper's decoder alone knows (tokens, temperature,
    compression) is given as a greedy decode without fallback would have it."""
    logprob = (sum(math.log(max(p, 1e-6)) for p in probabilities) / len(probabilities)
               if probabilities else 0.0)
    return {"id": number, "seek": 0, "start": start, "end": end, "text": text, "tokens": [],
            "temperature": 0.0, "avg_logprob": round(logprob, 4), "compression_ratio": 1.0,
            "no_speech_prob": 0.0}


def _recognizer(listener: Listener, model: str) -> Recognizer:
    if model in TRANSCRIPTION_MODELS:
        return listener.recognizers.default()
    try:
        return listener.recognizers.for_model(model)
    except UnknownModel:
        known = ", ".join(sorted(TRANSCRIPTION_MODELS))
        raise InvalidInput("model", f"model {model!r} not found; known: {known}") from None


def events(transcript: Transcript) -> Iterator[bytes]:
    """``stream=true``: a ``transcript.text.delta`` per segment, then ``transcript.text.done``
    with the whole text (the audio is heard whole first: nothing arrives sooner)."""
    for number, segment in enumerate(transcript.segments):
        delta = segment.text if number == 0 else f" {segment.text}"
        yield _event({"type": "transcript.text.delta", "delta": delta})
    yield _event({"type": "transcript.text.done", "text": transcript.text,
                  "usage": usage(transcript)})


def _event(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
