"""A voice of the local neural engines that sounds like a reference, as near as they allow.

hibari can move its pitch (it scales its f0 track) and its pace; Piper's joe only its pace.
The base voice is the one whose own pitch is nearer the reference's: joe when the reference is
within :data:`JOE_REACH` of his pitch (he cannot move it), else hibari's heart, moved. The
base voice then says what the reference said, and is measured: the pitch is scaled by the ratio
of the two medians, the pace by the ratio of the two speaking times, through the engine's own
curve of pace setting to speaking rate (its pauses do not stretch, so the two differ).

Timbre is not matched: the spectral brightness is measured and reported, not reproduced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from voicer.cloning.traits import Traits

HEART, JOE = "en-us-heart", "en-us-joe"
NATURAL_PITCH = {HEART: 196.0, JOE: 111.0}  # Hz, their median pitch as measure() finds it
JOE_REACH = 1.08  # joe is chosen within 8 % of his own pitch
PITCH_RANGE = (0.45, 2.2)  # hibari's pitch factor, clamped
# how much faster each engine speaks (base time / time) at a pace setting, measured over a
# paragraph of narration: (pace settings, speed)
PACE_CURVES = {
    HEART: ((0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.6, 1.8, 2.0),
            (0.498, 0.607, 0.707, 0.819, 0.959, 1.0, 1.035, 1.137, 1.611, 1.701, 1.82)),
    JOE: ((0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0),
          (0.573, 0.66, 0.755, 0.856, 0.943, 1.0, 1.039, 1.131, 1.265, 1.411, 1.525, 1.575)),
}


@dataclass(frozen=True, slots=True)
class Derived:
    """How the base voice is to speak: its engine's params, and what was aimed at."""

    base: str  # the voice id it starts from
    pitch: float  # hibari's factor (1.0 for joe)
    pace: float

    def params(self, engine: str, base_params: dict[str, Any]) -> dict[str, Any]:
        own = dict(base_params.get(engine) or {})
        own["pace"] = round(self.pace, 3)
        if self.base == HEART:
            own["pitch"] = round(self.pitch, 3)
        return {**base_params, engine: own}


def base_voice(reference: Traits) -> str:
    """The voice to start from: joe if the reference is near his pitch, else heart."""
    near = abs(math.log(max(reference.pitch, 1.0) / NATURAL_PITCH[JOE]))
    return JOE if near <= math.log(JOE_REACH) else HEART


def derive(base: str, reference: Traits, spoken: Traits) -> Derived:
    """The settings that bring ``spoken`` (the base voice saying the reference's words) to
    ``reference``."""
    pitch = 1.0
    if base == HEART and spoken.pitch > 0 and reference.pitch > 0:
        pitch = float(np.clip(reference.pitch / spoken.pitch, *PITCH_RANGE))
    speed = spoken.speech_seconds / max(reference.speech_seconds, 1e-3)
    settings, speeds = PACE_CURVES[base]
    return Derived(base, pitch, float(np.interp(speed, speeds, settings)))
