"""ElevenLabs text to speech: convert, stream, with timestamps, stream with timestamps."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse

from voicer.alignment import Alignment
from voicer.api.deps import ElevenLabsCaller, ServicesDep, SessionDep
from voicer.api.downloads import stored_response
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.schemas_elevenlabs import TextToSpeechBody
from voicer.api.services import Services
from voicer.api.strict_json import StrictJsonRoute
from voicer.elevenlabs import tts
from voicer.encoding.formats import parse_format
from voicer.encoding.streams import finalize_wav
from voicer.errors import EngineError, VoicerError
from voicer.models import UPSTREAM_ENGINE
from voicer.speech import AudioPiece, speak
from voicer.upstream.engine import Relayed

router = APIRouter(route_class=StrictJsonRoute,
                   responses=elevenlabs_errors(*AUTHENTICATED, 400, 403, 404, 502, 503),
                   prefix="/v1/text-to-speech", tags=["ElevenLabs: text to speech"])



@dataclass
class AudioQuery:
    """The query every text-to-speech route takes."""

    output_format: Annotated[str, Query(description="codec_rate[_kbps], e.g. mp3_44100_128")] = (
        "mp3_44100_128")
    optimize_streaming_latency: Annotated[
        int | None, Query(ge=0, le=4, description="accepted; no effect here")] = None
    enable_logging: bool = True

    def upstream_params(self) -> dict[str, str | int]:
        params: dict[str, str | int] = {"output_format": self.output_format,
                                        "enable_logging": str(self.enable_logging).lower()}
        if self.optimize_streaming_latency is not None:
            params["optimize_streaming_latency"] = self.optimize_streaming_latency
        return params


AudioQueryDep = Annotated[AudioQuery, Depends()]


@router.post("/{voice_id}", response_class=FileResponse,
             responses={200: {"content": {"audio/mpeg": {}}}})
def convert(voice_id: str, body: TextToSpeechBody, caller: ElevenLabsCaller,
            services: ServicesDep, session: SessionDep, query: AudioQueryDep) -> Response:
    """The whole audio at once."""
    charged = _charge(services, session, caller, voice_id, body, query.output_format)
    if charged.speech.voice.engine == UPSTREAM_ENGINE:
        return _relay(services, charged, body, "", query)
    _render(services, charged)
    return stored_response(charged.kept(), charged.speech.format.media_type,
                           headers=tts.response_headers(charged))


@router.post("/{voice_id}/stream", response_class=StreamingResponse,
             responses={200: {"content": {"audio/mpeg": {}}}})
def stream(voice_id: str, body: TextToSpeechBody, caller: ElevenLabsCaller,
           services: ServicesDep, session: SessionDep, query: AudioQueryDep) -> StreamingResponse:
    """Audio as it is made: the first sentence arrives while the rest is being spoken."""
    charged = _charge(services, session, caller, voice_id, body, query.output_format)
    if charged.speech.voice.engine == UPSTREAM_ENGINE:
        return _relay(services, charged, body, "/stream", query)
    audio = (piece.audio for piece in _pieces(services, charged) if piece.audio)
    return StreamingResponse(audio, media_type=charged.speech.format.media_type,
                             headers=tts.response_headers(charged))


@router.post("/{voice_id}/with-timestamps")
def convert_with_timestamps(voice_id: str, body: TextToSpeechBody, caller: ElevenLabsCaller,
                            services: ServicesDep, session: SessionDep,
                            query: AudioQueryDep) -> Response:
    """The whole audio, base64, with every character's start and end time."""
    charged = _charge(services, session, caller, voice_id, body, query.output_format)
    if charged.speech.voice.engine == UPSTREAM_ENGINE:
        return _relay(services, charged, body, "/with-timestamps", query)
    timing = _render(services, charged)
    audio = base64.b64encode(b"".join(charged.kept().pieces)).decode()
    return JSONResponse({"audio_base64": audio, "alignment": timing.to_json(),
                         "normalized_alignment": timing.to_json()},
                        headers=tts.response_headers(charged))


@router.post("/{voice_id}/stream/with-timestamps", response_class=StreamingResponse)
def stream_with_timestamps(voice_id: str, body: TextToSpeechBody, caller: ElevenLabsCaller,
                           services: ServicesDep, session: SessionDep,
                           query: AudioQueryDep) -> StreamingResponse:
    """Newline-delimited JSON: ``{audio_base64, alignment, normalized_alignment}`` per piece."""
    charged = _charge(services, session, caller, voice_id, body, query.output_format)
    if charged.speech.voice.engine == UPSTREAM_ENGINE:
        return _relay(services, charged, body, "/stream/with-timestamps", query)
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
        with charged.keep() as kept, services.speech.lease() as pool:
            for piece in speak(charged.speech, pool, services.planner.voices,
                               services.planner.detector):
                kept.write(piece.audio)
                yield piece
            if charged.speech.format.codec == "wav":
                finalize_wav(kept)
        finished = True
    finally:
        with services.database.session() as session:
            if finished:
                tts.record(session, charged)
            else:
                tts.refund(session, charged)


def _relay(services: Services, charged: tts.Charged, body: TextToSpeechBody, route: str,
           query: AudioQuery) -> StreamingResponse:
    """An upstream voice: the same request of the upstream, its answer handed on as it arrives
    (in the format asked of it, never transcoded), with the upstream's ``request-id``."""
    upstream = services.upstream
    try:
        if upstream is None:
            raise EngineError(f"voice {charged.speech.voice.voice_id!r} needs the ElevenLabs "
                              "upstream, which is not configured")
        relayed = upstream.relay(f"/v1/text-to-speech/{charged.speech.voice.voice_id}{route}",
                                 _upstream_body(body), query.upstream_params())
    except VoicerError:
        with services.database.session() as session:
            tts.refund(session, charged)
        raise
    headers = {**tts.response_headers(charged),
               "request-id": relayed.headers.get("request-id", charged.request_id)}
    return StreamingResponse(_kept_relay(services, charged, relayed, route.endswith("timestamps")),
                             media_type=relayed.headers.get("content-type"), headers=headers)


def _upstream_body(body: TextToSpeechBody) -> dict[str, Any]:
    """The request as the upstream gets it: what the caller sent, nothing of ours added."""
    sent = body.model_dump(mode="json", exclude_none=True, exclude_unset=True)
    return {**sent, "text": body.text, "model_id": body.model_id}


def _kept_relay(services: Services, charged: tts.Charged, relayed: Relayed,
                timestamped: bool) -> Iterator[bytes]:
    """Hand the upstream's bytes on, keep the audio for the history, settle the charge."""
    finished = False
    try:
        with charged.keep() as kept:
            answer = []
            for part in relayed:
                if timestamped:
                    answer.append(part)
                else:
                    kept.write(part)
                yield part
            if timestamped:
                kept.write(tts.timestamped_audio(b"".join(answer)))
        finished = True
    finally:
        relayed.close()
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
