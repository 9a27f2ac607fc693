"""ElevenLabs sound effects: ``POST /v1/sound-generation``.

With the ElevenLabs upstream configured, the request is relayed to it as it is. Without, Voicer
makes one of its own procedural sounds (``voicer.sounds``) that the prompt's words name, or
answers 400 listing them. Either way a second of sound costs ``CHARACTERS_PER_SECOND``
characters of the quota (the duration asked, else the sound's own length; 10 s upstream),
taken before and given back if nothing is made.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import closing
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from voicer import sounds
from voicer.accounts import paid
from voicer.api.deps import ElevenLabsCaller, ServicesDep
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.strict_json import StrictJsonRoute
from voicer.encoding.formats import parse_format
from voicer.encoding.streams import encode_whole

CHARACTERS_PER_SECOND = 40
UPSTREAM_SECONDS = 10.0  # charged for an upstream sound of no given duration

router = APIRouter(route_class=StrictJsonRoute, responses=elevenlabs_errors(*AUTHENTICATED, 400, 403),
                   tags=["ElevenLabs: sound effects"])


class SoundGenerationBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1, max_length=1_000, description="what the sound is")
    loop: bool = Field(False, description="end joins start without a click")
    duration_seconds: float | None = Field(None, ge=sounds.MIN_SECONDS, le=sounds.MAX_SECONDS,
                                           description="default: the sound's own length")
    prompt_influence: float | None = Field(None, ge=0, le=1,
                                           description="upstream only; local sounds follow "
                                                       "the prompt's words")
    model_id: str | None = None


@router.post("/v1/sound-generation", response_class=Response,
             responses={200: {"content": {"audio/mpeg": {}}}})
def sound_generation(body: SoundGenerationBody, caller: ElevenLabsCaller, services: ServicesDep,
                     output_format: Annotated[str, Query()] = "mp3_44100_128") -> Response:
    """A sound effect from a description, exactly ``duration_seconds`` long."""
    fmt = parse_format(output_format)
    upstream = services.runtime.upstream
    if upstream is not None:
        seconds = body.duration_seconds or UPSTREAM_SECONDS
        with paid(services.runtime.database, caller.user.id, _cost(seconds)):
            answer = upstream.relay("/v1/sound-generation",
                                    body.model_dump(mode="json", exclude_unset=True),
                                    {"output_format": output_format})

        def relayed() -> Iterator[bytes]:
            with closing(answer):
                yield from answer

        return StreamingResponse(relayed(), media_type=answer.headers.get("content-type"))
    sound = sounds.choose(body.text)  # a prompt with no sound is refused before it is charged
    seconds = body.duration_seconds or sound.seconds
    with paid(services.runtime.database, caller.user.id, _cost(seconds)):
        audio = encode_whole(sounds.generate(body.text, seconds, body.loop), fmt)
    return Response(audio, media_type=fmt.media_type,
                    headers={"character-cost": str(_cost(seconds))})


def _cost(seconds: float) -> int:
    return math.ceil(seconds * CHARACTERS_PER_SECOND)
