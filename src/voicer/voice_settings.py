"""ElevenLabs-style voice settings, validated to the ranges ElevenLabs documents."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class VoiceSettings(BaseModel):
    """How a voice should sound. Each engine maps these to what it can honour."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stability: float = Field(0.5, ge=0.0, le=1.0, description="0 = expressive, 1 = monotone")
    similarity_boost: float = Field(0.75, ge=0.0, le=1.0)
    style: float = Field(0.0, ge=0.0, le=1.0, description="exaggeration of the voice's style")
    use_speaker_boost: bool = True
    speed: float = Field(1.0, ge=0.7, le=1.2, description="speaking rate, 1.0 = normal")
