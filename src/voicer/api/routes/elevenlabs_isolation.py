"""ElevenLabs audio isolation: ``POST /v1/audio-isolation`` and ``/stream``.

The upload (``audio``: any container FFmpeg reads, or raw 16 kHz PCM with
``file_format=pcm_s16le_16``) is decoded at 48 kHz and its noise taken out by the bundled
DeepFilterNet3 (``voicer.isolation``); the answer is MP3 at 44.1 kHz, 128 kbps, the same length
as the input. A second of audio costs ``VOICER_ISOLATION_CHARACTERS_PER_SECOND`` characters,
taken before and given back if nothing is made. Upload caps are those of speech to text.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Annotated

import numpy as np
from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response, StreamingResponse

from voicer import isolation
from voicer.accounts import paid
from voicer.api.deps import ElevenLabsCaller, ServicesDep
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.services import Services
from voicer.audio import Audio
from voicer.encoding.formats import parse_format
from voicer.encoding.streams import encode_whole, stream_encoder
from voicer.recognition.clip import Clip

OUTPUT = parse_format("mp3_44100_128")
STREAM_PIECE = isolation.RATE  # samples handed to the denoiser, and encoded, at a time: 1 s

router = APIRouter(responses=elevenlabs_errors(*AUTHENTICATED, 400, 403),
                   prefix="/v1/audio-isolation", tags=["ElevenLabs: audio isolation"])

AudioFile = Annotated[UploadFile, File(description="any audio or video FFmpeg reads")]
FileFormat = Annotated[str | None, Form(description="pcm_s16le_16 (raw 16 kHz mono) or other")]


@router.post("", response_class=Response, responses={200: {"content": {"audio/mpeg": {}}}})
def convert(audio: AudioFile, caller: ElevenLabsCaller, services: ServicesDep,
            file_format: FileFormat = None) -> Response:
    """The speech of ``audio`` with its background noise removed, as one MP3."""
    clip = _clip(services, audio, file_format)
    cost = _cost(services, clip)
    with paid(services.runtime.database, caller.user.id, cost):
        data = encode_whole(_pcm(isolation.isolate(clip.samples)), OUTPUT)
    return Response(data, media_type=OUTPUT.media_type, headers={"character-cost": str(cost)})


@router.post("/stream", response_class=StreamingResponse,
             responses={200: {"content": {"audio/mpeg": {}}}})
def stream(audio: AudioFile, caller: ElevenLabsCaller, services: ServicesDep,
           file_format: FileFormat = None) -> StreamingResponse:
    """The same, sent as it is made, a second of audio at a time."""
    clip = _clip(services, audio, file_format)
    cost = _cost(services, clip)
    charge = ExitStack()
    charge.enter_context(paid(services.runtime.database, caller.user.id, cost))  # a 403 now

    def made() -> Iterator[bytes]:
        with charge:  # given back if it breaks off
            encoder = stream_encoder(OUTPUT)
            pieces = (clip.samples[start:start + STREAM_PIECE]
                      for start in range(0, len(clip.samples), STREAM_PIECE))
            for cleaned in isolation.isolate_stream(pieces):
                yield encoder.encode(_pcm(cleaned))
            yield encoder.finish()

    return StreamingResponse(made(), media_type=OUTPUT.media_type,
                             headers={"character-cost": str(cost)})


def _clip(services: Services, audio: UploadFile, file_format: str | None) -> Clip:
    return services.listener.clip(audio.file, file_format, "audio", isolation.RATE)


def _cost(services: Services, clip: Clip) -> int:
    return math.ceil(clip.duration * services.settings.isolation_characters_per_second)


def _pcm(samples: np.ndarray) -> Audio:
    return Audio.mono(Clip(samples, isolation.RATE).pcm16(), isolation.RATE)
