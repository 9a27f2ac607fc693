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
from voicer.api.deps import ElevenLabsCaller, ServicesDep
from voicer.api.downloads import stored_response
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.schemas_elevenlabs import TextToSpeechBody, locators
from voicer.api.services import Services
from voicer.api.strict_json import StrictJsonRoute
from voicer.elevenlabs import tts
from voicer.encoding.formats import parse_format
from voicer.pronunciation import dictionaries
from voicer.speech import AudioPiece

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
            services: ServicesDep, query: AudioQueryDep) -> Response:
    """The whole audio at once."""
    charged = _charge(services, caller, voice_id, body, query.output_format)
    if _relayed(services, charged):
        return _relay(services, charged, body, "", query)
    _render(services, charged)
    return stored_response(charged.kept(), charged.speech.format.media_type,
                           headers=charged.headers())


@router.post("/{voice_id}/stream", response_class=StreamingResponse,
             responses={200: {"content": {"audio/mpeg": {}}}})
def stream(voice_id: str, body: TextToSpeechBody, caller: ElevenLabsCaller,
           services: ServicesDep, query: AudioQueryDep) -> StreamingResponse:
    """Audio as it is made: the first sentence arrives while the rest is being spoken."""
    charged = _charge(services, caller, voice_id, body, query.output_format)
    if _relayed(services, charged):
        return _relay(services, charged, body, "/stream", query)
    audio = (piece.audio for piece in _spoken(services, charged) if piece.audio)
    return StreamingResponse(audio, media_type=charged.speech.format.media_type,
                             headers=charged.headers())


@router.post("/{voice_id}/with-timestamps")
def convert_with_timestamps(voice_id: str, body: TextToSpeechBody, caller: ElevenLabsCaller,
                            services: ServicesDep, query: AudioQueryDep) -> Response:
    """The whole audio, base64, with every character's start and end time."""
    charged = _charge(services, caller, voice_id, body, query.output_format)
    if _relayed(services, charged):
        return _relay(services, charged, body, "/with-timestamps", query)
    timing, normalized = _render(services, charged)
    audio = base64.b64encode(b"".join(charged.kept().pieces)).decode()
    return JSONResponse({"audio_base64": audio, "alignment": timing.to_json(),
                         "normalized_alignment": normalized.to_json()}, headers=charged.headers())


@router.post("/{voice_id}/stream/with-timestamps", response_class=StreamingResponse)
def stream_with_timestamps(voice_id: str, body: TextToSpeechBody, caller: ElevenLabsCaller,
                           services: ServicesDep, query: AudioQueryDep) -> StreamingResponse:
    """Newline-delimited JSON: ``{audio_base64, alignment, normalized_alignment}`` per piece."""
    charged = _charge(services, caller, voice_id, body, query.output_format)
    if _relayed(services, charged):
        return _relay(services, charged, body, "/stream/with-timestamps", query)
    lines = (_ndjson(piece) for piece in _spoken(services, charged))
    return StreamingResponse(lines, media_type="application/json", headers=charged.headers())


def _charge(services: Services, caller: ElevenLabsCaller, voice_id: str, body: TextToSpeechBody,
            output_format: str) -> tts.Charged:
    billing = services.billing
    with services.database.session() as session:
        lexicon = dictionaries.resolve(session, caller.user,
                                       locators(body.pronunciation_dictionary_locators))
    order = billing.order(voice_id, body.model_id, body.language_code, body.settings(),
                          parse_format(output_format), body.apply_text_normalization, lexicon)
    return tts.charge(billing, caller, order, body.text)


def _relayed(services: Services, charged: tts.Charged) -> bool:
    """Whether the voice's engine is relayed the request as it is (the real ElevenLabs API)."""
    return services.engines.relays(charged.speech.voice.engine)


def _spoken(services: Services, charged: tts.Charged) -> Iterator[AudioPiece]:
    return tts.spoken(charged, services.speech, services.planner.detector)


def _relay(services: Services, charged: tts.Charged, body: TextToSpeechBody, route: str,
           query: AudioQuery) -> StreamingResponse:
    """An upstream voice: the same request of the upstream, its answer handed on as it arrives
    (in the format asked of it, never transcoded), with the upstream's ``request-id``."""
    answer = tts.ask_upstream(charged, services.upstream, route, _upstream_body(body),
                              query.upstream_params())
    headers = {**charged.headers(),
               "request-id": answer.headers.get("request-id", charged.purchase.request_id)}
    return StreamingResponse(tts.relayed(charged, answer, route.endswith("timestamps")),
                             media_type=answer.headers.get("content-type"), headers=headers)


def _upstream_body(body: TextToSpeechBody) -> dict[str, Any]:
    """The request as the upstream gets it: what the caller sent, nothing of ours added."""
    sent = body.model_dump(mode="json", exclude_none=True, exclude_unset=True)
    return {**sent, "text": body.text, "model_id": body.model_id}


def _render(services: Services, charged: tts.Charged) -> tuple[Alignment, Alignment]:
    """Make the whole audio into the history file; return the characters' timings, of the
    text as sent and as said (normalized)."""
    pieces = [piece for piece in _spoken(services, charged) if piece.alignment]
    return (Alignment.join([piece.alignment for piece in pieces if piece.alignment]),
            Alignment.join([piece.normalized_alignment for piece in pieces
                            if piece.normalized_alignment]))


def _ndjson(piece: AudioPiece) -> bytes:
    timing = piece.alignment.to_json() if piece.alignment else None
    normalized = piece.normalized_alignment
    line = {"audio_base64": base64.b64encode(piece.audio).decode(), "alignment": timing,
            "normalized_alignment": normalized.to_json() if normalized else None}
    return json.dumps(line, ensure_ascii=False).encode() + b"\n"
