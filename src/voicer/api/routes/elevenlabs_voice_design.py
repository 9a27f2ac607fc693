"""ElevenLabs voice design (text to voice): previews for a description, the chosen one kept as
the caller's own voice, and remixes of a voice. Local and approximate: pitch and pace only.
Previews can be kept for ``VOICER_VOICE_PREVIEW_SECONDS`` (a day), by their caller only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from voicer.accounts import Caller
from voicer.api.deps import ElevenLabsCaller, ServicesDep
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.services import Services
from voicer.api.strict_json import StrictJsonRoute
from voicer.cloning import design
from voicer.cloning.designer import SAMPLE
from voicer.elevenlabs import shapes

router = APIRouter(route_class=StrictJsonRoute, responses=elevenlabs_errors(*AUTHENTICATED),
                   prefix="/v1/text-to-voice", tags=["ElevenLabs: voice design"])


class DesignBody(BaseModel):
    model_config = ConfigDict(extra="ignore")  # model_id, quality… : not used locally

    voice_description: str = Field(min_length=1, max_length=1_000)
    text: str | None = Field(None, max_length=1_000)
    auto_generate_text: bool = False
    loudness: float | None = Field(None, ge=-1, le=1, description=(
        "-1 quietest … 1 loudest: the previews brought to -36 … -12 LUFS (0: -24 LUFS); "
        "unset: as spoken"))
    seed: int | None = Field(None, ge=0, le=4_294_967_295, description=(
        "the same seed gives the same three variants, another seed others"))
    guidance_scale: float | None = Field(None, ge=0, le=100, description=(
        "how far the description moves the voice from the neutral one: 0 not at all, 5 "
        "(default) as it says, 10 and over twice as far"))


class CreateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    voice_name: str = Field(min_length=1, max_length=200)
    voice_description: str = Field(min_length=1, max_length=1_000)
    generated_voice_id: str
    labels: dict[str, str | None] | None = None


@router.post("/design", responses=elevenlabs_errors(400))
@router.post("/create-previews", responses=elevenlabs_errors(400), include_in_schema=False)
def design_previews(body: DesignBody, caller: ElevenLabsCaller, services: ServicesDep,
                    output_format: str = "mp3_44100_128") -> dict[str, Any]:
    """Three previews of a voice made from the description: hibari moved to the pitch and pace
    its words ask for ("deep", "male", "high", "young", "fast", "calm"…), the pitch varied a
    little between them. Each `generated_voice_id` can be kept with `POST /v1/text-to-voice`."""
    designs = design.described(body.voice_description, body.seed, body.guidance_scale)
    return _answer(services, caller, designs, body, output_format)


@router.post("/{voice_id}/remix", responses=elevenlabs_errors(400, 404))
def remix(voice_id: str, body: DesignBody, caller: ElevenLabsCaller, services: ServicesDep,
          output_format: str = "mp3_44100_128") -> dict[str, Any]:
    """Three previews of a neural voice (premade or your own) moved as the description says:
    "deeper"/"lower", "higher"/"brighter", "faster", "slower"."""
    start = design.design_of(services.planner.voices.get(voice_id))
    designs = design.remixed(start, body.voice_description, body.seed, body.guidance_scale)
    return _answer(services, caller, designs, body, output_format)


@router.post("", responses=elevenlabs_errors(400, 403))
def create_voice(body: CreateBody, caller: ElevenLabsCaller, services: ServicesDep) -> dict[str, Any]:
    """Keep a preview as your own voice (category `generated`, private, counted against your
    plan's voices)."""
    labels = {key: value for key, value in (body.labels or {}).items() if value is not None}
    voice = services.designer.keep(caller.user, body.voice_name, body.voice_description,
                                 body.generated_voice_id, labels)
    return shapes.voice_json(voice)


def _answer(services: Services, caller: Caller, designs: list[design.Design], body: DesignBody,
            output_format: str) -> dict[str, Any]:
    text = body.text if body.text and not body.auto_generate_text else SAMPLE
    previews = services.designer.previews(caller.user, designs, text, output_format, body.loudness)
    return {"previews": [preview.json() for preview in previews], "text": text}
