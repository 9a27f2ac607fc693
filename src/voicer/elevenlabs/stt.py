"""ElevenLabs speech to text and forced alignment below HTTP: what a request asks, and the
transcript or alignment it gets back.

The transcript is ElevenLabs' ``SpeechToTextChunkResponseModel``: the text, the language as
ISO 639-3 with its probability, and ``words`` where a ``spacing`` entry sits between every two
words, each with ``logprob`` (the log of Whisper's word probability) and, with
``timestamps_granularity=character``, its characters (the word's time shared evenly).

A Scribe model id that routes to the upstream (``voicer.recognition.scribe``) is ``relayed``:
the upstream's own answer comes back, bought as a local transcript is.
"""

from __future__ import annotations

import io
import json
import math
import secrets
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

from voicer.accounts import paid
from voicer.elevenlabs.voice_changer import Upload
from voicer.errors import InvalidInput, UpstreamError
from voicer.recognition import forced
from voicer.recognition.base import Transcript, Word
from voicer.recognition.exports import EXPORTS, ExportOptions
from voicer.recognition.languages import iso_639_3, whisper_language
from voicer.recognition.listener import Listener
from voicer.recognition.scribe import UpstreamScribe

Granularity = Literal["none", "word", "character"]
_EXPORT_FIELDS = frozenset(ExportOptions.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class Asked:
    """What a speech-to-text request asks for, beyond the audio."""

    model_id: str
    language_code: str | None = None
    granularity: Granularity = "word"
    diarize: bool = False
    num_speakers: int | None = None
    formats: list[tuple[str, ExportOptions]] = field(default_factory=list)
    file_format: str | None = None


def convert(listener: Listener, user_id: str, file: BinaryIO, asked: Asked) -> dict[str, Any]:
    """Recognise the uploaded ``file`` for ``user_id`` (charged by its duration), as ElevenLabs
    answers it."""
    recognizer = listener.recognizers.for_model(asked.model_id)
    language = whisper_language(asked.language_code)
    clip = listener.clip(file, asked.file_format)
    transcript = listener.listen(user_id, clip, recognizer, language, asked.diarize,
                                 asked.num_speakers)
    return chunk(transcript, asked)


def relayed(listener: Listener, user_id: str, scribe: UpstreamScribe, upload: Upload,
            file_format: str | None) -> dict[str, Any]:
    """The upstream's transcript of ``upload`` (sent on as it came), charged to ``user_id`` by
    the audio's duration as a local one is, and given back if the upstream fails."""
    clip = listener.clip(io.BytesIO(upload.file[1]), file_format)
    with paid(listener.database, user_id, listener.cost(clip)):
        answer = scribe.relay(upload.file, upload.fields, upload.params)
        try:
            transcript = json.loads(answer.content)
        except ValueError:
            transcript = None
        if not isinstance(transcript, dict):
            raise UpstreamError("ElevenLabs upstream answered speech to text with no transcript",
                                None)
        return transcript


def align(listener: Listener, user_id: str, file: BinaryIO, text: str) -> dict[str, Any]:
    """``text`` laid onto the uploaded ``file`` (charged as recognition is), as ElevenLabs
    answers forced alignment."""
    if not text.strip():
        raise InvalidInput("text", "text is empty: give the words spoken in the file")
    clip = listener.clip(file)
    transcript = listener.listen(user_id, clip, listener.recognizers.default(), None)
    aligned = forced.align(text, transcript)
    return {"characters": [{"text": c.text, "start": c.start, "end": c.end}
                           for c in aligned.characters],
            "words": [{"text": w.text, "start": w.start, "end": w.end, "loss": w.loss}
                      for w in aligned.words],
            "loss": aligned.loss}


def parse_formats(raw: str | None) -> list[tuple[str, ExportOptions]]:
    """``additional_formats`` (a JSON list of ``{format, ...options}``), checked."""
    if raw is None or raw.strip() in ("", "null"):
        return []
    try:
        items = json.loads(raw)
    except json.JSONDecodeError:
        raise InvalidInput("additional_formats", "additional_formats is not JSON") from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InvalidInput("additional_formats", "additional_formats must be a list of objects")
    return [_export(item) for item in items]


def _export(item: dict[str, Any]) -> tuple[str, ExportOptions]:
    name = item.get("format")
    if name is None:  # what the SDK sends for SrtExportOptions(): its format left out
        raise InvalidInput("additional_formats", "each additional format needs its `format` "
                                                 "(srt, txt, segmented_json); with the Python "
                                                 "SDK, pass ExportOptions_Srt(), not "
                                                 "SrtExportOptions()")
    if name not in EXPORTS:
        raise InvalidInput("additional_formats", f"additional format {name!r} is not made here; "
                                                 f"choose from {', '.join(EXPORTS)}")
    options = {key: value for key, value in item.items() if key in _EXPORT_FIELDS and value is not None}
    try:
        return name, ExportOptions(**options)
    except TypeError as error:
        raise InvalidInput("additional_formats", str(error)) from None


def chunk(transcript: Transcript, asked: Asked) -> dict[str, Any]:
    """The ElevenLabs response for ``transcript``."""
    spoken = [(word, segment.speaker) for segment in transcript.segments for word in segment.words]
    words: list[dict[str, Any]] = []
    previous: Word | None = None
    for word, by in spoken:
        speaker = (by or "speaker_0") if asked.diarize else None
        if previous is not None:
            words.append(_entry(" ", previous.end, word.start, "spacing", speaker, 0.0, asked))
        words.append(_entry(word.text, word.start, word.end, "word", speaker,
                            math.log(max(word.probability, 1e-6)), asked))
        previous = word
    return {"language_code": iso_639_3(transcript.language),
            "language_probability": transcript.language_probability,
            "text": transcript.text, "words": words,
            "additional_formats": [_format(transcript, name, options)
                                   for name, options in asked.formats] or None,
            "transcription_id": secrets.token_hex(10),
            "audio_duration_secs": round(transcript.duration, 3)}


def _entry(text: str, start: float, end: float, kind: str, speaker: str | None, logprob: float,
           asked: Asked) -> dict[str, Any]:
    timed = asked.granularity != "none"
    entry: dict[str, Any] = {"text": text, "start": start if timed else None,
                             "end": end if timed else None, "type": kind,
                             "speaker_id": speaker, "logprob": round(logprob, 4)}
    if asked.granularity == "character":
        entry["characters"] = characters(Word(text, start, end, 1.0))
    return entry


def characters(word: Word) -> list[dict[str, Any]]:
    """The word's characters, its time shared evenly between them."""
    step = (word.end - word.start) / max(len(word.text), 1)
    return [{"text": char, "start": round(word.start + i * step, 3),
             "end": round(word.start + (i + 1) * step, 3)} for i, char in enumerate(word.text)]


def _format(transcript: Transcript, name: str, options: ExportOptions) -> dict[str, Any]:
    made = EXPORTS[name](transcript, options)
    return {"requested_format": name, "file_extension": made.extension,
            "content_type": made.content_type, "is_base64_encoded": False,
            "content": made.content}
