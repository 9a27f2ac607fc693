"""Designed voices: previews spoken for a description, and the chosen one kept as the
caller's own voice (private, counted against their plan, like a clone)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from voicer.audio import Audio
from voicer.cloning.design import Design
from voicer.cloning.previews import Previews
from voicer.db.tables import User
from voicer.encoding.formats import parse_format
from voicer.encoding.streams import encode_whole
from voicer.errors import InvalidInput
from voicer.language import LanguageDetector
from voicer.loudness import LoudnessTarget, normalized
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
PREVIEW_RATE = 24_000  # previews are spoken as PCM at this rate, leveled, then encoded
# ``loudness`` -1…1 brings a preview to MIDDLE_LUFS ± LOUDNESS_RANGE (ElevenLabs: 0 is about -24)
MIDDLE_LUFS, LOUDNESS_RANGE = -24.0, 12.0


@dataclass(frozen=True, slots=True)
class Preview:
    generated_voice_id: str
    audio: bytes
    media_type: str
    seconds: float

    def json(self) -> dict[str, object]:
        return {"audio_base_64": base64.b64encode(self.audio).decode(),
                "generated_voice_id": self.generated_voice_id,
                "media_type": self.media_type, "duration_secs": round(self.seconds, 3),
                "language": "en"}


def loudness_target(loudness: float) -> LoudnessTarget:
    """Where ``loudness`` (-1 quietest, 1 loudest) brings a preview: -36 to -12 LUFS."""
    return LoudnessTarget(integrated=MIDDLE_LUFS + LOUDNESS_RANGE * loudness, true_peak=-1.0)


@dataclass
class VoiceDesigner:
    settings: Settings
    owned: OwnedVoices
    voices: Voices
    speech: SpeechPool
    detector: LanguageDetector
    offered: Previews = field(init=False)

    def __post_init__(self) -> None:
        self.offered = Previews(self.owned.database, self.settings.voice_preview_seconds)

    def previews(self, user: User, designs: list[Design], text: str | None, output_format: str,
                 loudness: float | None = None) -> list[Preview]:
        """Each design saying ``text`` (a sample of Voicer's when none), at ``loudness`` (as
        spoken when None), kept for ``user`` to choose from until the previews expire."""
        said = (text or SAMPLE).strip()
        if len(said) > TEXT_LIMIT:
            raise InvalidInput("text", f"text must be at most {TEXT_LIMIT:,} characters")
        target = parse_format(output_format)
        spoken = [self._spoken(design, said, loudness) for design in designs]
        ids = self.offered.offer(user, designs)  # their time runs from when they are handed out
        return [Preview(preview_id, encode_whole(audio, target), target.media_type, audio.duration)
                for preview_id, audio in zip(ids, spoken, strict=True)]

    def _spoken(self, design: Design, text: str, loudness: float | None) -> Audio:
        voice = self.voice(design)
        request = SpeechRequest(voice, get_model(DEFAULT_MODEL_ID), VoiceSettings(),
                                parse_format(f"pcm_{PREVIEW_RATE}"), voice.language)
        with self.speech.lease() as pool:
            pcm = b"".join(piece.audio for piece in speak(text, request, pool, self.voices,
                                                          self.detector))
        audio = Audio.from_bytes(pcm, PREVIEW_RATE)
        return audio if loudness is None else normalized(audio, loudness_target(loudness))

    def voice(self, design: Design) -> Voice:
        return design.voice(self.voices.get(design.base))

    def keep(self, user: User, name: str, description: str, generated_voice_id: str,
             labels: dict[str, str]) -> Voice:
        """The chosen preview, as ``user``'s own voice; ``InvalidInput`` if it expired."""
        design = self.offered.chosen(user, generated_voice_id)
        voice = self.voice(design)
        said = (f"Designed locally from a description: {voice.name} ({voice.engine}) at "
                f"{design.pitch:g}× pitch and {design.pace:g}× pace; timbre is not designed.")
        new = NewVoice(name=name, category=GENERATED, engine=voice.engine,
                       params=dict(voice.params), languages=voice.languages,
                       description=f"{description.strip()} ({said})",
                       labels={"gender": voice.gender, "language": voice.language, **labels,
                               "approximate": "true", "base_voice": design.base},
                       analysis={"design": design.json()})
        return self.owned.add(user, new, self.settings.voice_limit(user.plan))
