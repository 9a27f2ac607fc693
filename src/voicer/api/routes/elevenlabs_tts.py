"""ElevenLabs text to speech: convert, stream, with timestamps, stream with timestamps."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse

from voicer.alignment import Alignment
from voicer.api.deps import ElevenLabsCaller, ServicesDep, SessionDep
from voicer.api.schemas_elevenlabs import TextToSpeechBody
from voicer.api.services import Services
from voicer.elevenlabs import tts
from voicer.encoding.formats import finalize_wav, parse_format
from voicer.speech import AudioPiece, speak

router = APIRouter(prefix="/v1/text-to-speech", tags=["ElevenLabs: text to speech"])



@dataclass
class AudioQuery:
    """The query every text-to-speech route takes."""

    output_format: Annotated[str, Query(description="codec_rate[_kbps], e.g. mp3_44100_128")] = (
        "mp3_44100_128")
    optimize_streaming_latency: Annotated[
        int | None, Query(ge=0, le=4, description="accepted; no effect here")] = None
    enable_logging: bool = True


AudioQueryDep = Annotated[AudioQuery, Depends()]


@router.post("/{voice_id}", response_class=FileResponse,
             responses={200: {"content": {"audio/mpeg": {}}}})
def convert(voice_id: str, body: TextToSpeechBody, caller: ElevenLabsCaller,
            services: ServicesDep, session: SessionDep, query: AudioQueryDep) -> FileResponse:
    """The whole audio at once."""
    charged = _charge(services, session, caller, voice_id, body, query.output_format)
    _render(services, charged)
    return FileResponse(charged.audio_path, media_type=charged.speech.format.media_type,
                        headers=tts.response_headers(charged))


@router.post("/{voice_id}/stream", response_class=StreamingResponse,
             responses={200: {"content": {"audio/mpeg": {}}}})
def stream(voice_id: str, body: TextToSpeechBody, caller: ElevenLabsCaller,
           services: ServicesDep, session: SessionDep, query: AudioQueryDep) -> StreamingResponse:
    """Audio as it is made: the first sentence arrives while the rest is being spoken."""
    charged = _charge(services, session, caller, voice_id, body, query.output_format)
    audio = (piece.audio for piece in _pieces(services, charged) if piece.audio)
    return StreamingResponse(audio, media_type=charged.speech.format.media_type,
                             headers=tts.response_headers(charged))


@router.post("/{voice_id}/with-timestamps")
def convert_with_timestamps(voice_id: str, body: TextToSpeechBody, caller: ElevenLabsCaller,
                            services: ServicesDep, session: SessionDep,
                            query: AudioQueryDep) -> JSONResponse:
    """The whole audio, base64, with every character's start and end time."""
    charged = _charge(services, session, caller, voice_id, body, query.output_format)
    timing = _render(services, charged)
    audio = base64.b64encode(charged.audio_path.read_bytes()).decode()
    return JSONResponse({"audio_base64": audio, "alignment": timing.to_json(),
                         "normalized_alignment": timing.to_json()},
                        headers=tts.response_headers(charged))


@router.post("/{voice_id}/stream/with-timestamps", response_class=StreamingResponse)
def stream_with_timestamps(voice_id: str, body: TextToSpeechBody, caller: ElevenLabsCaller,
                           services: ServicesDep, session: SessionDep,
                           query: AudioQueryDep) -> StreamingResponse:
    """Newline-delimited JSON: ``{audio_base64, alignment, normalized_alignment}`` per piece."""
    charged = _charge(services, session, caller, voice_id, body, query.output_format)
    lines = (_ndjson(piece) for piece in _pieces(services, charged))
    return StreamingResponse(lines, media_type="application/json",
                             headers=tts.response_headers(charged))


def _charge(services: Services, session: SessionDep, caller: ElevenLabsCaller, voice_id: str,
            body: TextToSpeechBody, output_format: str) -> tts.Charged:
    charged = tts.prepare(session, caller, services.planner.voices, services.storage, voice_id,
                          body.text, body.model_id, body.language_code, body.settings(),
                          parse_format(output_format))
    services.metrics.speech_requests.labels(output_format).inc()
    services.metrics.speech_characters.inc(len(body.text))
    return charged


def _pieces(services: Services, charged: tts.Charged) -> Iterator[AudioPiece]:
    """Speak, keep a copy for the history, and settle the charge however it ends."""
    finished = False
    try:
        with services.speech.lease() as pool, charged.audio_path.open("wb") as kept:
            for piece in speak(charged.speech, pool, services.planner.voices,
                               services.planner.detector):
                kept.write(piece.audio)
                yield piece
        if charged.speech.format.codec == "wav":
            with charged.audio_path.open("r+b") as kept:
                finalize_wav(kept)
        finished = True
    finally:
        with services.database.session() as session:
            if finished:
                tts.record(session, charged)
            else:
                tts.refund(session, charged)


def _render(services: Services, charged: tts.Charged) -> Alignment:
    """Make the whole audio into the history file; return the characters' timings."""
    return Alignment.join([piece.alignment for piece in _pieces(services, charged)
                           if piece.alignment])


def _ndjson(piece: AudioPiece) -> bytes:
    timing = piece.alignment.to_json() if piece.alignment else None
    line = {"audio_base64": base64.b64encode(piece.audio).decode(), "alignment": timing,
            "normalized_alignment": timing}
    return json.dumps(line, ensure_ascii=False).encode() + b"\n"
