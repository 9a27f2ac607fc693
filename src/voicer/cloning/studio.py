"""Designed voices: previews spoken for a description, and the chosen one kept as the
caller's own voice (private, counted against their plan, like a clone)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from voicer.cloning.design import Design
from voicer.db.tables import User
from voicer.encoding.formats import parse_format
from voicer.errors import InvalidInput
from voicer.language import LanguageDetector
from voicer.models import DEFAULT_MODEL_ID, get_model
from voicer.settings import Settings
from voicer.speech import SpeechPool, SpeechRequest, speak
from voicer.voice_settings import VoiceSettings
from voicer.voices.catalogue import Voice, Voices
from voicer.voices.owned import NewVoice, OwnedVoices

GENERATED = "generated"
SAMPLE = ("Every voice tells a story of its own. Listen to how this one rises and falls, how "
          "quickly it moves from word to word, and whether it feels like the voice you had in "
          "mind for your project.")
TEXT_LIMIT = 1_000


@dataclass(frozen=True, slots=True)
class Preview:
    design: Design
    audio: bytes
    media_type: str
    seconds: float

    def json(self) -> dict[str, object]:
        return {"audio_base_64": base64.b64encode(self.audio).decode(),
                "generated_voice_id": self.design.generated_voice_id,
                "media_type": self.media_type, "duration_secs": round(self.seconds, 3),
                "language": "en"}


@dataclass
class Studio:
    settings: Settings
    owned: OwnedVoices
    voices: Voices
    speech: SpeechPool
    detector: LanguageDetector

    def previews(self, designs: list[Design], text: str | None, output_format: str) -> list[Preview]:
        """Each design saying ``text`` (a sample of Voicer's when none)."""
        said = (text or SAMPLE).strip()
        if len(said) > TEXT_LIMIT:
            raise InvalidInput("text", f"text must be at most {TEXT_LIMIT:,} characters")
        target = parse_format(output_format)
        found = []
        for design in designs:
            voice = self.voice(design)
            request = SpeechRequest(voice, get_model(DEFAULT_MODEL_ID), VoiceSettings(), target,
                                    voice.language)
            with self.speech.lease() as pool:
                pieces = list(speak(said, request, pool, self.voices, self.detector))
            audio = b"".join(piece.audio for piece in pieces)
            ends = [piece.alignment.ends[-1] for piece in pieces
                    if piece.alignment and piece.alignment.ends]
            found.append(Preview(design, audio, target.media_type, max(ends, default=0.0)))
        return found

    def voice(self, design: Design) -> Voice:
        return design.voice(self.voices.get(design.base))

    def keep(self, user: User, name: str, description: str, generated_voice_id: str,
             labels: dict[str, str]) -> Voice:
        """The chosen preview, as ``user``'s own voice."""
        design = Design.of(generated_voice_id)
        voice = self.voice(design)
        said = (f"Designed locally from a description: {voice.name} ({voice.engine}) at "
                f"{design.pitch:g}× pitch and {design.pace:g}× pace; timbre is not designed.")
        new = NewVoice(name=name, category=GENERATED, engine=voice.engine,
                       params=dict(voice.params), languages=voice.languages,
                       description=f"{description.strip()} ({said})",
                       labels={"gender": voice.gender, "language": voice.language, **labels,
                               "approximate": "true", "base_voice": design.base},
                       analysis={"design": generated_voice_id})
        return self.owned.add(user, new, self.settings.voice_limit(user.plan))
