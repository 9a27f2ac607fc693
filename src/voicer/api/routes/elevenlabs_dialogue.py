"""ElevenLabs text to dialogue: convert, stream, with timestamps, stream with timestamps.

Local voices are spoken here (``voicer.elevenlabs.dialogue``); a dialogue whose voices are all
the upstream's is relayed to the upstream's own endpoint, as it is. One dialogue cannot mix the
two (400).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from voicer.alignment import Alignment
from voicer.api.deps import ElevenLabsCaller, ServicesDep
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.schemas_elevenlabs import DictionaryLocator, locators
from voicer.api.services import Services
from voicer.api.strict_json import StrictJsonRoute
from voicer.elevenlabs import dialogue, tts
from voicer.elevenlabs.billing import Part, Purchase
from voicer.encoding.formats import parse_format
from voicer.errors import EngineError, InvalidInput
from voicer.pronunciation import dictionaries
from voicer.text.normalize import Normalization
from voicer.voice_settings import VoiceSettings

MAX_VOICES = 10  # different voices in one dialogue, as ElevenLabs allows
DIALOGUE_MODEL = "eleven_v3"  # ElevenLabs' default for dialogue

router = APIRouter(route_class=StrictJsonRoute,
                   responses=elevenlabs_errors(*AUTHENTICATED, 400, 403, 502, 503),
                   prefix="/v1/text-to-dialogue", tags=["ElevenLabs: text to dialogue"])

OutputFormat = Annotated[str, Query(description="codec_rate[_kbps], e.g. mp3_44100_128")]


class DialogueInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1)
    voice_id: str = Field(min_length=1)


class DialogueSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    stability: float | None = Field(None, ge=0.0, le=1.0)
    similarity: float | None = Field(None, ge=0.0, le=1.0, description="upstream only")
    clone_strength: float | None = Field(None, ge=0.0, le=1.0, description="upstream only")


class TextToDialogueBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    inputs: list[DialogueInput] = Field(min_length=1, max_length=500)
    model_id: str = DIALOGUE_MODEL
    language_code: str | None = None
    settings: DialogueSettings | None = None
    pronunciation_dictionary_locators: list[DictionaryLocator] | None = Field(None, max_length=3)
    seed: int | None = Field(None, ge=0, le=4_294_967_295)
    apply_text_normalization: Normalization = Normalization.auto

    @field_validator("inputs")
    @classmethod
    def few_voices(cls, inputs: list[DialogueInput]) -> list[DialogueInput]:
        voices = {turn.voice_id for turn in inputs}
        if len(voices) > MAX_VOICES:
            raise ValueError(f"a dialogue has at most {MAX_VOICES} different voices, "
                             f"got {len(voices)}")
        return inputs

    def voice_settings(self) -> VoiceSettings:
        stability = self.settings.stability if self.settings else None
        return VoiceSettings() if stability is None else VoiceSettings(stability=stability)


@router.post("", response_class=Response, responses={200: {"content": {"audio/mpeg": {}}}})
def convert(body: TextToDialogueBody, caller: ElevenLabsCaller, services: ServicesDep,
            output_format: OutputFormat = "mp3_44100_128") -> Response:
    """The whole dialogue at once."""
    purchase, part, turns = _charge(services, caller, body, output_format)
    if _upstream(services, turns):
        return _relay(services, body, "", output_format, purchase, part)
    audio = b"".join(piece.audio.audio for piece in _spoken(services, purchase, part, turns))
    return Response(audio, media_type=purchase.order.format.media_type,
                    headers=tts.Charged(purchase, part).headers())


@router.post("/stream", response_class=StreamingResponse,
             responses={200: {"content": {"audio/mpeg": {}}}})
def stream(body: TextToDialogueBody, caller: ElevenLabsCaller, services: ServicesDep,
           output_format: OutputFormat = "mp3_44100_128") -> Response:
    """The dialogue as it is spoken."""
    purchase, part, turns = _charge(services, caller, body, output_format)
    if _upstream(services, turns):
        return _relay(services, body, "/stream", output_format, purchase, part)
    audio = (piece.audio.audio for piece in _spoken(services, purchase, part, turns)
             if piece.audio.audio)
    return StreamingResponse(audio, media_type=purchase.order.format.media_type,
                             headers=tts.Charged(purchase, part).headers())


@router.post("/with-timestamps")
def convert_with_timestamps(body: TextToDialogueBody, caller: ElevenLabsCaller,
                            services: ServicesDep,
                            output_format: OutputFormat = "mp3_44100_128") -> Response:
    """The whole dialogue, base64, every character timed, and which voice speaks when."""
    purchase, part, turns = _charge(services, caller, body, output_format)
    if _upstream(services, turns):
        return _relay(services, body, "/with-timestamps", output_format, purchase, part)
    pieces = list(_spoken(services, purchase, part, turns))
    said = [piece.audio for piece in pieces]
    timing = Alignment.join([piece.alignment for piece in said if piece.alignment])
    normalized = Alignment.join([piece.normalized_alignment for piece in said
                                 if piece.normalized_alignment])
    segments = dialogue.merged([piece.segment for piece in pieces if piece.segment])
    return JSONResponse({
        "audio_base64": base64.b64encode(b"".join(piece.audio for piece in said)).decode(),
        "alignment": timing.to_json(), "normalized_alignment": normalized.to_json(),
        "voice_segments": [segment.to_json() for segment in segments],
    }, headers=tts.Charged(purchase, part).headers())


@router.post("/stream/with-timestamps", response_class=StreamingResponse)
def stream_with_timestamps(body: TextToDialogueBody, caller: ElevenLabsCaller,
                           services: ServicesDep,
                           output_format: OutputFormat = "mp3_44100_128") -> Response:
    """Newline-delimited JSON: each piece's audio, its characters' times and its voice."""
    purchase, part, turns = _charge(services, caller, body, output_format)
    if _upstream(services, turns):
        return _relay(services, body, "/stream/with-timestamps", output_format, purchase, part)
    lines = (_ndjson(piece) for piece in _spoken(services, purchase, part, turns))
    return StreamingResponse(lines, media_type="application/json",
                             headers=tts.Charged(purchase, part).headers())


def _charge(services: Services, caller: ElevenLabsCaller, body: TextToDialogueBody,
            output_format: str) -> tuple[Purchase, Part, list[dialogue.Turn]]:
    """Every turn checked, then all its characters charged at once."""
    billing = services.billing
    fmt = parse_format(output_format)
    with services.database.session() as session:
        lexicon = dictionaries.resolve(session, caller.user,
                                       locators(body.pronunciation_dictionary_locators))
    turns = [dialogue.Turn(turn.text, billing.order(
        turn.voice_id, body.model_id, body.language_code, body.voice_settings(), fmt,
        body.apply_text_normalization, lexicon)) for turn in body.inputs]
    purchase = billing.open(caller, turns[0].speech)
    return purchase, dialogue.charge(purchase, turns), turns


def _spoken(services: Services, purchase: Purchase, part: Part,
            turns: list[dialogue.Turn]) -> Iterator[dialogue.DialoguePiece]:
    return dialogue.spoken(purchase, part, turns, services.speech, services.planner.voices,
                           services.planner.detector)


def _upstream(services: Services, turns: list[dialogue.Turn]) -> bool:
    """Whether the dialogue's voices are the upstream's (relayed as it is) or local."""
    relayed = {services.engines.relays(turn.speech.voice.engine) for turn in turns}
    if len(relayed) > 1:
        raise InvalidInput("inputs", "inputs: a dialogue's voices are all local or all the "
                                     "ElevenLabs upstream's; this one mixes them")
    return relayed == {True}


def _relay(services: Services, body: TextToDialogueBody, route: str, output_format: str,
           purchase: Purchase, part: Part) -> StreamingResponse:
    """The same request of the upstream, its answer handed on as it arrives; charged and kept
    in the history as a local dialogue is."""
    charged = tts.Charged(purchase, part)
    try:
        upstream = services.runtime.upstream
        if upstream is None:
            raise EngineError("the ElevenLabs upstream is not configured")
        sent = body.model_dump(mode="json", exclude_none=True, exclude_unset=True)
        sent["inputs"] = [{**turn, "text": upstream.text_for(body.model_id, turn["text"])}
                          for turn in sent["inputs"]]  # audio tags for eleven_v3 only
        answer = upstream.relay(f"/v1/text-to-dialogue{route}", sent,
                                {"output_format": output_format})
    except BaseException:
        purchase.settle()
        raise
    headers = {**charged.headers(),
               "request-id": answer.headers.get("request-id", purchase.request_id)}
    return StreamingResponse(tts.relayed(charged, answer, route.endswith("timestamps")),
                             media_type=answer.headers.get("content-type"), headers=headers)


def _ndjson(piece: dialogue.DialoguePiece) -> bytes:
    said = piece.audio
    normalized = said.normalized_alignment
    line = {"audio_base64": base64.b64encode(said.audio).decode(),
            "alignment": said.alignment.to_json() if said.alignment else None,
            "normalized_alignment": normalized.to_json() if normalized else None,
            "voice_segments": [piece.segment.to_json()] if piece.segment else []}
    return json.dumps(line, ensure_ascii=False).encode() + b"\n"
