"""The OpenAI audio API: text to speech and transcriptions, spoken and heard here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse

from voicer.api.deps import OpenAICaller, ServicesDep
from voicer.api.responses import AUTHENTICATED, openai_errors
from voicer.api.schemas_openai import SpeechBody
from voicer.api.strict_json import StrictJsonRoute
from voicer.openai import speech, transcription

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/audio",
                   responses=openai_errors(*AUTHENTICATED, 400, 403),
                   tags=["OpenAI: audio"])


SPEECH_TYPES = [*{fmt.media_type for fmt in speech.RESPONSE_FORMATS.values()}, "text/event-stream"]
TRANSCRIPT_TYPES = ["application/json", *transcription.MEDIA_TYPES.values(), "text/event-stream"]


@router.post("/speech", response_class=StreamingResponse,
             responses={200: {"content": {kind: {} for kind in sorted(SPEECH_TYPES)}}})
def create_speech(body: SpeechBody, caller: OpenAICaller,
                  services: ServicesDep) -> StreamingResponse:
    """The audio as it is made; with `stream_format=sse`, as `speech.audio.delta` events and a
    closing `speech.audio.done`. Charged by the input's characters, kept in the history."""
    charged = speech.charge(services.billing, caller, body.asked())
    audio = speech.audio(charged, services.speech, services.planner.detector,
                         body.instructions)
    if body.stream_format == "sse":
        return StreamingResponse(speech.events(audio, len(body.input)),
                                 media_type="text/event-stream", headers=charged.headers())
    return StreamingResponse(audio, media_type=charged.speech.format.media_type,
                             headers=charged.headers())


@router.post("/transcriptions",
             responses={200: {"content": {kind: {} for kind in TRANSCRIPT_TYPES}}})
def create_transcription(
    caller: OpenAICaller,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="any audio or video PyAV reads")],
    model: Annotated[str, Form(description="whisper-1, gpt-4o-transcribe, "
                                           "gpt-4o-mini-transcribe: the local Whisper model")],
    response_format: Annotated[transcription.ResponseFormat, Form()] = "json",
    language: Annotated[str | None, Form(description="ISO 639-1; none: detected")] = None,
    prompt: Annotated[str | None, Form(description="accepted; not used")] = None,
    temperature: Annotated[float | None, Form(ge=0, le=1, description="accepted; not used")] = None,
    granularities: Annotated[list[transcription.Granularity] | None,
                             Form(alias="timestamp_granularities[]")] = None,
    stream: Annotated[bool, Form(description="true: the text as Server-Sent Events")] = False,
) -> Response:
    """The text of the audio, as `response_format` asks. Charged by the audio's duration
    (VOICER_STT_CHARACTERS_PER_SECOND)."""
    asked = transcription.Asked(model, response_format, language, frozenset(granularities or ()))
    heard = transcription.transcribe(services.listener, caller.user.id, file.file, asked)
    if stream:
        return StreamingResponse(transcription.events(heard), media_type="text/event-stream")
    answer = transcription.answer(heard, asked)
    if isinstance(answer, dict):
        return JSONResponse(answer)
    return Response(answer, media_type=transcription.MEDIA_TYPES[response_format])
