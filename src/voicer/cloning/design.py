"""Voice design: a voice from a description, as the local neural engines can make one.

The description is read for what hibari can change, its pitch and its pace ("a deep, slow
male narrator", "a bright young woman, fast"); three previews vary the pitch around that.
Remixing starts from an existing voice and moves it by the description's comparatives
("deeper", "higher", "faster", "slower"). Timbre, accent and age beyond pitch and pace are not
made; the voice says so. A preview's ``generated_voice_id`` names its settings, so creating the
voice later needs nothing kept in between.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, replace

from voicer.cloning.match import HEART, JOE, NATURAL_PITCH, PITCH_RANGE
from voicer.errors import InvalidInput
from voicer.voices.catalogue import Voice

PREFIX = "gen_"
VARIATIONS = (0.94, 1.0, 1.06)  # the three previews' pitch around the described one
PACE_RANGE = (0.6, 1.6)

# what a description's words do to heart's pitch (a factor) and pace (a factor)
_PITCH_WORDS = (
    (r"\b(male|man|men|guy|gentleman|boy|father|grandfather|he)\b", 0.6),
    (r"\b(deep|low|bass|baritone|gravelly|husky)\b", 0.85),
    (r"\b(high|high-pitched|squeaky|soprano|bright|child|kid|little)\b", 1.15),
)
_PACE_WORDS = (
    (r"\b(fast|quick|rapid|energetic|excited|brisk)\b", 1.2),
    (r"\b(slow|calm|relaxed|measured|sleepy|old|elderly)\b", 0.85),
)
_REMIX_WORDS = (
    (r"\b(deeper|lower)\b", 0.88, 1.0), (r"\b(higher|brighter)\b", 1.12, 1.0),
    (r"\b(faster|quicker)\b", 1.0, 1.15), (r"\b(slower|calmer)\b", 1.0, 0.87),
)


@dataclass(frozen=True, slots=True)
class Design:
    """A designed voice: the neural voice it starts from, and its pitch and pace."""

    base: str  # HEART (hibari: pitch and pace) or JOE (Piper: pace only)
    pitch: float
    pace: float

    @property
    def generated_voice_id(self) -> str:
        said = f"{self.base}~{self.pitch:.3f}~{self.pace:.3f}".encode()
        return PREFIX + base64.urlsafe_b64encode(said).decode().rstrip("=")

    @classmethod
    def of(cls, generated_voice_id: str) -> Design:
        """The design a preview's id names; ``InvalidInput`` for any other id."""
        try:
            coded = generated_voice_id.removeprefix(PREFIX)
            base, pitch, pace = base64.urlsafe_b64decode(coded + "=" * (-len(coded) % 4)
                                                         ).decode().split("~")
            design = cls(base, float(pitch), float(pace))
        except ValueError:
            design = None
        if (not generated_voice_id.startswith(PREFIX) or design is None
                or design.base not in (HEART, JOE) or design != design.clamped()):
            raise InvalidInput("generated_voice_id", f"generated_voice_id {generated_voice_id!r} "
                                                     f"is not one a design preview gave")
        return design

    def clamped(self) -> Design:
        pitch = 1.0 if self.base == JOE else round(min(max(self.pitch, PITCH_RANGE[0]),
                                                       PITCH_RANGE[1]), 3)
        return Design(self.base, pitch, round(min(max(self.pace, PACE_RANGE[0]), PACE_RANGE[1]), 3))

    def voice(self, base: Voice) -> Voice:
        """``base`` (the voice ``self.base`` names) moved to this design."""
        own = dict(base.params.get(base.engine) or {})
        own["pace"] = self.pace
        if self.base == HEART:
            own["pitch"] = self.pitch
        return replace(base, params={**base.params, base.engine: own})


def described(description: str) -> list[Design]:
    """The three designs a description asks for: heart moved to its pitch and pace, the pitch
    varied a little each time."""
    text = _words(description)
    pitch, pace = 1.0, 1.0
    for pattern, factor in _PITCH_WORDS:
        if re.search(pattern, text):
            pitch *= factor
    for pattern, factor in _PACE_WORDS:
        if re.search(pattern, text):
            pace *= factor
    return [Design(HEART, pitch * variation, pace).clamped() for variation in VARIATIONS]


def remixed(start: Design, description: str) -> list[Design]:
    """Three designs from ``start``, moved as the description's comparatives say."""
    text = _words(description)
    pitch, pace = start.pitch, start.pace
    for pattern, pitch_by, pace_by in _REMIX_WORDS:
        if re.search(pattern, text):
            pitch, pace = pitch * pitch_by, pace * pace_by
    base = start.base
    if base == JOE and pitch != start.pitch:  # only hibari moves her pitch: from joe's own
        base, pitch = HEART, pitch * NATURAL_PITCH[JOE] / NATURAL_PITCH[HEART]
    return [Design(base, pitch * variation, pace).clamped() for variation in VARIATIONS]


def design_of(voice: Voice) -> Design:
    """Where a voice stands as a design: its engine's pitch and pace (hibari's or Piper's)."""
    own = dict(voice.params.get(voice.engine) or {})
    base = JOE if voice.engine == "piper" else HEART
    if voice.engine not in ("hibari", "piper"):
        raise InvalidInput("voice_id", f"voice {voice.voice_id!r} is not a neural voice: only "
                                       f"hibari and Piper voices can be remixed")
    return Design(base, float(own.get("pitch", 1.0)), float(own.get("pace", 1.0)))


def _words(description: str) -> str:
    if not description.strip():
        raise InvalidInput("voice_description", "voice_description is empty: describe the voice")
    return description.casefold()
