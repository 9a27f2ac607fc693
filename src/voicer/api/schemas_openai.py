"""Request bodies of the OpenAI-compatible audio API, as OpenAI documents them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from voicer.openai.speech import Asked


class VoiceRef(BaseModel):
    """A custom voice as OpenAI names one: ``{"id": ...}``; here, any Voicer voice id."""

    id: str


class SpeechBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str = Field(description="tts-1, tts-1-hd, gpt-4o-mini-tts, or a Voicer model id")
    input: str = Field(description="the text to speak, at most 4,096 characters")
    voice: str | VoiceRef = Field(description="alloy, ash, ballad, coral, echo, fable, onyx, "
                                              "nova, sage, shimmer, verse, marin, cedar, or "
                                              "any Voicer voice id")
    instructions: str | None = Field(None, description="heard where a word names a prosody: "
                                                       "whisper, softly, excited, slowly…")
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] = "mp3"
    speed: float = Field(1.0, description="0.25 to 4.0")
    stream_format: Literal["audio", "sse"] = "audio"

    def asked(self) -> Asked:
        voice = self.voice.id if isinstance(self.voice, VoiceRef) else self.voice
        return Asked(self.input, self.model, voice, self.response_format, self.speed,
                     self.instructions)
