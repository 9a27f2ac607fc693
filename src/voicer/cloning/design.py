"""Voice design: a voice from a description, as the local neural engines can make one.

The description is read for what hibari can change, its pitch and its pace ("a deep, slow
male narrator", "a bright young woman, fast"); three previews vary the pitch around that.
Remixing starts from an existing voice and moves it by the description's comparatives
("deeper", "higher", "faster", "slower"). Timbre, accent and age beyond pitch and pace are not
made; the voice says so.

``guidance_scale`` is how far the description moves the voice from the neutral one (hibari as
she is, or the voice remixed): 0 not at all, ElevenLabs' default of 5 as the words say, 10 and
over twice as far (then held within the engine's range), in between in proportion. ``seed``
draws the three variants: without one they are the pitch 6 % lower, as described and 6 %
higher; with one, each is drawn from its own third of that ±6 % (and the pace ±4 %), the same
for the same seed and different for another.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from typing import Any

from voicer.cloning.match import HEART, JOE, NATURAL_PITCH, PITCH_RANGE
from voicer.errors import InvalidInput
from voicer.voices.catalogue import Voice

VARIATIONS = (0.94, 1.0, 1.06)  # the three previews' pitch around the described one
PACE_RANGE = (0.6, 1.6)
SPREAD, PACE_SPREAD = 0.06, 0.04  # how far a seeded variant's pitch and pace stray
DEFAULT_GUIDANCE = 5.0  # ElevenLabs' default guidance_scale: the description as it says
MOST_GUIDANCE = 2.0  # a guidance_scale of 10 or more moves the voice twice as far, no further

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

    def json(self) -> dict[str, Any]:
        return {"base": self.base, "pitch": self.pitch, "pace": self.pace}

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> Design:
        return cls(str(stored["base"]), float(stored["pitch"]), float(stored["pace"])).clamped()

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


def described(description: str, seed: int | None = None,
              guidance: float | None = None) -> list[Design]:
    """The three designs a description asks for: heart moved to its pitch and pace (as far as
    ``guidance`` says), the pitch varied a little each time (as ``seed`` draws)."""
    text = _words(description)
    pitch, pace = 1.0, 1.0
    for pattern, factor in _PITCH_WORDS:
        if re.search(pattern, text):
            pitch *= factor
    for pattern, factor in _PACE_WORDS:
        if re.search(pattern, text):
            pace *= factor
    strength = _strength(guidance)
    return _varied(HEART, pitch**strength, pace**strength, seed)


def remixed(start: Design, description: str, seed: int | None = None,
            guidance: float | None = None) -> list[Design]:
    """Three designs from ``start``, moved as the description's comparatives say (as far as
    ``guidance`` says)."""
    text = _words(description)
    pitch_by, pace_by = 1.0, 1.0
    for pattern, pitch_step, pace_step in _REMIX_WORDS:
        if re.search(pattern, text):
            pitch_by, pace_by = pitch_by * pitch_step, pace_by * pace_step
    strength = _strength(guidance)
    pitch, pace = start.pitch * pitch_by**strength, start.pace * pace_by**strength
    base = start.base
    if base == JOE and pitch != start.pitch:  # only hibari moves her pitch: from joe's own
        base, pitch = HEART, pitch * NATURAL_PITCH[JOE] / NATURAL_PITCH[HEART]
    return _varied(base, pitch, pace, seed)


def _varied(base: str, pitch: float, pace: float, seed: int | None) -> list[Design]:
    """Three variants around ``pitch`` and ``pace``: fixed steps, or drawn from ``seed``."""
    if seed is None:
        return [Design(base, pitch * step, pace).clamped() for step in VARIATIONS]
    draw = random.Random(seed)
    found = []
    for third in range(len(VARIATIONS)):  # each variant in its own third of the spread
        pitch_step = 1 + SPREAD * (2 * (third + draw.random()) / len(VARIATIONS) - 1)
        pace_step = 1 + PACE_SPREAD * (2 * draw.random() - 1)
        found.append(Design(base, pitch * pitch_step, pace * pace_step).clamped())
    return found


def _strength(guidance: float | None) -> float:
    """How far the description moves the voice: 1 (as it says) at the default guidance."""
    if guidance is None:
        return 1.0
    return min(max(guidance, 0.0) / DEFAULT_GUIDANCE, MOST_GUIDANCE)


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
