"""ElevenLabs speech to text and forced alignment: an uploaded file, recognised here, or, for a
Scribe model id with the upstream configured, by the upstream's Scribe (relayed as it came)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.datastructures import FormData

from voicer.api.deps import ElevenLabsCaller, ServicesDep
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.elevenlabs import stt
from voicer.elevenlabs.voice_changer import Upload
from voicer.errors import InvalidInput

router = APIRouter(responses=elevenlabs_errors(*AUTHENTICATED, 400, 403), prefix="/v1",
                   tags=["ElevenLabs: speech to text"])

UNFETCHED = "audio is never fetched from a URL here: upload it as `file`"
_UNRELAYED = frozenset({"token"})  # query parameters that are Voicer's, not the upstream's


async def _form(request: Request) -> FormData:
    """Every field the caller sent (parsed once, for the route's own fields too)."""
    return await request.form()


SentForm = Annotated[FormData, Depends(_form)]


@router.post("/speech-to-text")
def speech_to_text(
    caller: ElevenLabsCaller,
    services: ServicesDep,
    request: Request,
    sent: SentForm,
    model_id: Annotated[str, Form(description="scribe_v1, scribe_v2, ...: the upstream's Scribe "
                                              "when configured, else the local Whisper model; "
                                              "whisper: always local")],
    file: Annotated[UploadFile | None, File(description="any audio or video PyAV reads")] = None,
    language_code: Annotated[str | None, Form(description="ISO 639-1 or 639-3; none: "
                                                          "detected")] = None,
    tag_audio_events: Annotated[bool, Form(description="accepted; Whisper tags no events")] = True,
    num_speakers: Annotated[int | None, Form(ge=1, le=32)] = None,
    timestamps_granularity: Annotated[stt.Granularity, Form()] = "word",
    diarize: Annotated[bool, Form()] = False,
    additional_formats: Annotated[str | None, Form(description="JSON list: srt, txt, "
                                                               "segmented_json")] = None,
    file_format: Annotated[str | None, Form(description="pcm_s16le_16 or other")] = None,
    cloud_storage_url: Annotated[str | None, Form()] = None,
    source_url: Annotated[str | None, Form()] = None,
    webhook: Annotated[bool, Form(description="not offered here: false only")] = False,
) -> dict[str, object]:
    """A transcript with the language, every word's times and, with `diarize`, its speaker.
    Charged by the audio's duration (VOICER_STT_CHARACTERS_PER_SECOND)."""
    if webhook:
        raise InvalidInput("webhook", "webhook delivery is not offered here; leave webhook false")
    upload = _upload(file, cloud_storage_url=cloud_storage_url, source_url=source_url)
    scribe = services.listener.recognizers.relay_for(model_id)
    if scribe is not None:
        return stt.relayed(services.listener, caller.user.id, scribe,
                           _sent_on(upload, sent, request), file_format)
    asked = stt.Asked(model_id, language_code, timestamps_granularity, diarize, num_speakers,
                      stt.parse_formats(additional_formats), file_format)
    return stt.convert(services.listener, caller.user.id, upload.file, asked)


@router.post("/forced-alignment")
def forced_alignment(
    caller: ElevenLabsCaller,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="the audio, any format PyAV reads")],
    text: Annotated[str, Form(description="the words spoken in it")],
) -> dict[str, object]:
    """Every character and word of `text` with its start and end in the audio, and a loss (0:
    every word heard). Whisper's word times matched onto the text; charged as speech to text."""
    return stt.align(services.listener, caller.user.id, file.file, text)


def _upload(file: UploadFile | None, **urls: str | None) -> UploadFile:
    """The uploaded file; a URL given in its place is refused naming its field."""
    if file is not None:
        return file
    for field, url in urls.items():
        if url:
            raise InvalidInput(field, f"{field}: {UNFETCHED}")
    raise InvalidInput("file", "file is required: upload the audio as `file`")


def _sent_on(upload: UploadFile, sent: FormData, request: Request) -> Upload:
    """The request as the upstream gets it: the caller's file, every field (a repeated one as a
    list), the query less Voicer's own token."""
    upload.file.seek(0)
    file = (upload.filename or "audio", upload.file.read(),
            upload.content_type or "application/octet-stream")
    fields: dict[str, str | list[str]] = {}
    for name in sent:
        values = [value for value in sent.getlist(name) if isinstance(value, str)]
        if values:
            fields[name] = values if len(values) > 1 else values[0]
    params = {name: value for name, value in request.query_params.items()
              if name not in _UNRELAYED}
    return Upload(file, fields, params)
