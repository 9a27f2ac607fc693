"""ElevenLabs' Scribe, heard by the upstream: the recognition engine of the real ElevenLabs API.

With a key configured (and ``VOICER_ELEVENLABS_SCRIBE=upstream``, the default), the Scribe model
ids route here. ElevenLabs' own ``POST /v1/speech-to-text`` is *relayed*: the caller's upload
and every form field go on as they came, and the upstream's answer (its diarization, audio
events and formats) comes back as it is. Anything else that asks a recognizer for a Scribe id
(OpenAI's transcriptions) gets a ``Transcript`` made from the upstream's words.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from itertools import groupby
from typing import TYPE_CHECKING, Any

from voicer.errors import InvalidInput, UpstreamError
from voicer.models import UPSTREAM_ENGINE
from voicer.recognition.base import Progress, Segment, Transcript, Word
from voicer.recognition.clip import Clip
from voicer.recognition.languages import whisper_language
from voicer.upstream.client import Answer

if TYPE_CHECKING:
    from voicer.upstream.engine import Upstream

PATH = "/v1/speech-to-text"
MODEL = "scribe_v1"  # what ``recognize`` asks the upstream for

Fields = Mapping[str, str | list[str]]  # form fields; a repeated one (keyterms) as a list


class UpstreamScribe:
    """The upstream's speech to text, as a recognizer and as a relay."""

    name = UPSTREAM_ENGINE

    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream

    def relay(self, file: tuple[str, bytes, str], fields: Fields,
              params: Mapping[str, str]) -> Answer:
        """The upstream's answer to the caller's request: ``file`` and ``fields`` sent on."""
        return self.upstream.send("POST", PATH, params, form=fields, files={"file": file})

    def recognize(self, clip: Clip, language: str | None = None,
                  progress: Progress | None = None) -> Transcript:
        pcm = clip.at(16_000).pcm16().astype("<i2").tobytes()
        fields = {"model_id": MODEL, "file_format": "pcm_s16le_16",
                  "timestamps_granularity": "word", "tag_audio_events": "false",
                  **({"language_code": language} if language else {})}
        answer = self.relay(("audio.pcm", pcm, "application/octet-stream"), fields, {})
        transcript = transcript_of(answer.content, clip.duration)
        if progress is not None:
            progress(clip.duration)
        return transcript


def transcript_of(content: bytes, duration: float) -> Transcript:
    """The upstream's ``SpeechToTextChunkResponseModel`` as a ``Transcript``: one segment per
    run of one speaker's words."""
    try:
        answer: dict[str, Any] = json.loads(content)
        words = [item for item in answer.get("words") or [] if item.get("type") == "word"]
        segments = tuple(_segment(speaker, list(run)) for speaker, run
                         in groupby(words, key=lambda item: item.get("speaker_id")))
        return Transcript(segments, _language(answer.get("language_code")),
                          float(answer.get("language_probability") or 0.0), duration)
    except (ValueError, AttributeError, TypeError, KeyError) as error:
        raise UpstreamError(f"ElevenLabs upstream sent a transcript Voicer cannot read "
                            f"({type(error).__name__})", None) from None


def _language(code: str | None) -> str:
    """ISO 639-1 where Whisper knows the language, else the upstream's code as it is."""
    try:
        return whisper_language(code) or "en"
    except InvalidInput:
        return str(code)


def _segment(speaker: str | None, run: list[dict[str, Any]]) -> Segment:
    words = tuple(Word(str(item["text"]).strip(), float(item.get("start") or 0.0),
                       float(item.get("end") or 0.0), math.exp(float(item.get("logprob") or 0.0)))
                  for item in run)
    return Segment(words[0].start, words[-1].end, " ".join(word.text for word in words), words,
                   speaker)
