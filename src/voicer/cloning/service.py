"""Cloning a voice for a user: the reference read, measured and matched, and the voice kept.

Locally it is an honest approximation (see :mod:`voicer.cloning.match`): the reference is
decoded (any container), optionally isolated from background noise, recognised (what it says
sets the pace), measured, and a neural voice is derived to match. The voice is labelled
approximate. With an ElevenLabs key the reference goes to the upstream's instant clone instead,
and the voice it makes is kept as the user's own all the same (private, counted, editable).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import numpy as np

from voicer.cloning import match
from voicer.cloning.traits import Traits, measure
from voicer.db.tables import User
from voicer.encoding.formats import parse_format
from voicer.errors import InvalidInput
from voicer.isolation import isolate
from voicer.language import LanguageDetector
from voicer.models import DEFAULT_MODEL_ID, get_model
from voicer.recognition.clip import Clip, decode
from voicer.recognition.registry import RecognizerRegistry
from voicer.settings import Settings
from voicer.speech import SpeechPool, SpeechRequest, speak
from voicer.upstream.engine import Upstream
from voicer.voice_settings import VoiceSettings
from voicer.voices.catalogue import Voice, Voices
from voicer.voices.owned import NewVoice, OwnedVoices

CLONED = "cloned"
ISOLATION_RATE = 48_000  # what the noise remover works at
SPOKEN_FORMAT = "pcm_16000"


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class CloneRequest:
    name: str
    files: tuple[Upload, ...]
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    remove_background_noise: bool = False


@dataclass
class Cloner:
    settings: Settings
    owned: OwnedVoices
    voices: Voices
    speech: SpeechPool
    recognizers: RecognizerRegistry
    detector: LanguageDetector
    upstream: Upstream | None = None

    def clone(self, user: User, request: CloneRequest) -> Voice:
        """The user's new voice, cloned from ``request``'s reference."""
        limit = self.settings.voice_limit(user.plan)
        self.owned.check_room(user, limit)
        clip = self.reference(request)  # checked before the upstream is asked
        if self.upstream is not None:
            return self.owned.add(user, self._upstream_clone(request), limit)
        return self.owned.add(user, self._local_clone(request, clip), limit)

    def delete(self, user: User, voice: Voice) -> None:
        """Delete one of ``user``'s own voices, upstream too when it was cloned there."""
        if self.upstream is not None and voice.engine == self.upstream.name:
            self.upstream.delete_voice(voice.voice_id)
        self.owned.delete(user, voice.voice_id)

    def reference(self, request: CloneRequest) -> Clip:
        """Every file decoded and joined, at 16 kHz; refused if too short or too long."""
        if not request.files:
            raise InvalidInput("files", "files must hold at least one audio file")
        low, high = self.settings.clone_min_seconds, self.settings.clone_max_seconds
        clips = [decode(BytesIO(upload.content), high, "files").samples for upload in request.files]
        clip = Clip(np.concatenate(clips))
        if clip.duration > high:
            raise InvalidInput("files", f"the reference is {clip.duration:.1f} s long: the "
                                        f"limit is {high:,.0f} seconds of audio")
        if clip.duration < low:
            raise InvalidInput("files", f"the reference is {clip.duration:.1f} s long: it must be "
                                        f"at least {low:,.0f} seconds of speech")
        if request.remove_background_noise:
            clean = isolate(clip.at(ISOLATION_RATE).samples)
            clip = Clip(clean, ISOLATION_RATE).at(clip.rate)
        return clip

    def _local_clone(self, request: CloneRequest, clip: Clip) -> NewVoice:
        transcript = self.recognizers.default().recognize(clip, None)
        if not transcript.text.strip():
            raise InvalidInput("files", "no speech was heard in the reference")
        reference = measure(clip.samples, clip.rate, transcript.text)
        base = self.voices.get(match.base_voice(reference))
        spoken = self._spoken(base, transcript.text)
        derived = match.derive(base.voice_id, reference, spoken)
        return NewVoice(
            name=request.name, category=CLONED, engine=base.engine,
            params=derived.params(base.engine, dict(base.params)), languages=base.languages,
            description=_approximate(request.description, base, reference),
            labels={"gender": base.gender, "accent": base.accent, "language": base.language,
                    **request.labels, "approximate": "true", "base_voice": base.voice_id},
            analysis={"reference": reference.as_dict(), "base_voice": base.voice_id,
                      "pitch": round(derived.pitch, 3), "pace": round(derived.pace, 3),
                      "heard": transcript.text, "language": transcript.language,
                      "noise_removed": request.remove_background_noise})

    def _spoken(self, voice: Voice, text: str) -> Traits:
        """The traits of ``voice`` saying ``text``."""
        request = SpeechRequest(voice, get_model(DEFAULT_MODEL_ID), VoiceSettings(),
                                parse_format(SPOKEN_FORMAT), voice.language)
        with self.speech.lease() as pool:
            pcm = b"".join(piece.audio for piece in
                           speak(text, request, pool, self.voices, self.detector))
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], "<i2").astype(np.float32) / 32768.0
        return measure(samples, 16_000, text)

    def _upstream_clone(self, request: CloneRequest) -> NewVoice:
        assert self.upstream is not None
        data: dict[str, Any] = {"name": request.name, "description": request.description,
                                "remove_background_noise": str(request.remove_background_noise
                                                               ).lower()}
        if request.labels:
            data["labels"] = json.dumps(request.labels)
        voice_id = self.upstream.add_voice(
            data, [(upload.filename, upload.content, upload.content_type)
                   for upload in request.files])
        return NewVoice(name=request.name, category=CLONED, engine=self.upstream.name,
                        params={}, languages=("en",), description=request.description,
                        labels=dict(request.labels), voice_id=voice_id)


def _approximate(description: str, base: Voice, reference: Traits) -> str:
    said = (f"Approximate local clone: {base.name} ({base.engine}) moved to the reference's "
            f"median pitch of {reference.pitch:.0f} Hz and its pace; its timbre is not copied.")
    return f"{description.strip()} ({said})" if description.strip() else said
