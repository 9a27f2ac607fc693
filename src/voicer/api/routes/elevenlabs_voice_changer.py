"""ElevenLabs voice changer: ``POST /v1/speech-to-speech/{voice_id}`` (the documented path) and
``/v1/voice-changer/{voice_id}`` (where the official SDK sends it), each with ``/stream``.

The input's words are recognised and spoken again in the target voice on the input's timing
(``voicer.elevenlabs.voice_changer``: an approximation, said so in the README); a voice of the
ElevenLabs upstream is changed by the upstream. It is bought as text to speech is: the
characters heard are charged, and it becomes one history item.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError

from voicer import isolation
from voicer.api.deps import ElevenLabsCaller, ServicesDep
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.schemas_elevenlabs import VoiceSettingsIn
from voicer.api.services import Services
from voicer.elevenlabs import tts, voice_changer
from voicer.elevenlabs.billing import Part, Purchase
from voicer.encoding.formats import parse_format
from voicer.errors import EngineError, InvalidInput
from voicer.models import DEFAULT_MODEL_ID
from voicer.recognition.clip import RATE, Clip
from voicer.voice_settings import VoiceSettings

_PIECE = 16_384  # bytes a streamed answer is sent in

router = APIRouter(responses=elevenlabs_errors(*AUTHENTICATED, 400, 403),
                   tags=["ElevenLabs: voice changer"])

AudioFile = Annotated[UploadFile, File(description="speech, in any container FFmpeg reads")]
ModelId = Annotated[str, Form(description="eleven_english_sts_v2 and friends: the local "
                                          "engines")]
Settings = Annotated[str | None, Form(description="JSON voice settings, as ElevenLabs takes them")]
Seed = Annotated[int | None, Form(ge=0, le=4_294_967_295, description="accepted; deterministic")]
Denoise = Annotated[bool, Form(description="isolate the speech first (DeepFilterNet3)")]
FileFormat = Annotated[str | None, Form(description="pcm_s16le_16 or other")]
OutputFormat = Annotated[str, Query(description="codec_rate[_kbps], e.g. mp3_44100_128")]


@dataclass
class Change:
    """What both routes take: the speech, and how to say it again."""

    audio: AudioFile
    model_id: ModelId = "eleven_english_sts_v2"
    voice_settings: Settings = None
    seed: Seed = None
    remove_background_noise: Denoise = False
    file_format: FileFormat = None
    output_format: OutputFormat = "mp3_44100_128"


ChangeDep = Annotated[Change, Depends()]


@router.post("/v1/speech-to-speech/{voice_id}", response_class=Response,
             responses={200: {"content": {"audio/mpeg": {}}}})
@router.post("/v1/voice-changer/{voice_id}", response_class=Response, include_in_schema=False)
def convert(voice_id: str, asked: ChangeDep, caller: ElevenLabsCaller,
            services: ServicesDep) -> Response:
    """The input's words in the target voice, on the input's timing."""
    data, media_type, purchase, part = _changed(services, caller, voice_id, asked)
    return Response(data, media_type=media_type, headers=tts.Charged(purchase, part).headers())


@router.post("/v1/speech-to-speech/{voice_id}/stream", response_class=StreamingResponse,
             responses={200: {"content": {"audio/mpeg": {}}}})
@router.post("/v1/voice-changer/{voice_id}/stream", response_class=StreamingResponse,
             include_in_schema=False)
def stream(voice_id: str, asked: ChangeDep, caller: ElevenLabsCaller,
           services: ServicesDep) -> StreamingResponse:
    """The same, sent in pieces once it is made (the whole input is heard first)."""
    data, media_type, purchase, part = _changed(services, caller, voice_id, asked)

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(data), _PIECE):
            yield data[start:start + _PIECE]

    return StreamingResponse(pieces(), media_type=media_type,
                             headers=tts.Charged(purchase, part).headers())


def _changed(services: Services, caller: ElevenLabsCaller, voice_id: str,
             asked: Change) -> tuple[bytes, str, Purchase, Part]:
    """Heard, charged, spoken again (here or by the upstream), kept in the history: the audio,
    its media type, and what was bought."""
    billing = services.billing
    order = billing.order(voice_id, DEFAULT_MODEL_ID, None, _settings(asked.voice_settings),
                          parse_format(asked.output_format))
    recognizer = services.listener.recognizers.default()
    if services.engines.relays(order.voice.engine):
        upstream = services.upstream
        if upstream is None:
            raise EngineError(f"voice {voice_id!r} needs the ElevenLabs upstream, which is not "
                              "configured")
        clip = _clip(services, asked.audio, asked.file_format, False)  # heard for the charge
        answer, purchase, part = voice_changer.relayed(billing, caller, order, clip, recognizer,
                                                       upstream, _upload(asked))
        return (answer.content, answer.headers.get("content-type", order.format.media_type),
                purchase, part)
    clip = _clip(services, asked.audio, asked.file_format, asked.remove_background_noise)
    data, purchase, part = voice_changer.bought(billing, caller, order, clip, recognizer,
                                                services.speech)
    return data, order.format.media_type, purchase, part


def _upload(asked: Change) -> voice_changer.Upload:
    """The request as the upstream gets it: the caller's file and fields, nothing of ours."""
    asked.audio.file.seek(0)
    file = (asked.audio.filename or "audio", asked.audio.file.read(),
            asked.audio.content_type or "application/octet-stream")
    given = {"model_id": asked.model_id, "voice_settings": asked.voice_settings,
             "seed": None if asked.seed is None else str(asked.seed),
             "remove_background_noise": str(asked.remove_background_noise).lower(),
             "file_format": asked.file_format}
    fields = {name: value for name, value in given.items() if value is not None}
    return voice_changer.Upload(file, fields, {"output_format": asked.output_format})


def _clip(services: Services, audio: UploadFile, file_format: str | None, denoise: bool) -> Clip:
    if not denoise:
        return services.listener.clip(audio.file, file_format, "audio")
    loud = services.listener.clip(audio.file, file_format, "audio", isolation.RATE)
    return Clip(isolation.isolate(loud.samples), isolation.RATE).at(RATE)


def _settings(given: str | None) -> VoiceSettings:
    if not given:
        return VoiceSettings()
    try:
        return VoiceSettingsIn.model_validate_json(given).resolve()
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise InvalidInput("voice_settings", f"voice_settings: {where or 'JSON'}: "
                                             f"{problem['msg']}") from None
