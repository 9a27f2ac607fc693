"""How a stretch of text is said, relative to the request's own settings: what SSML's
``<prosody>`` and the audio tags in square brackets change."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Prosody:
    """How a stretch is said, relative to the request's own settings."""

    rate: float = 1.0  # × the speed
    pitch: float = 1.0  # × the voice's pitch
    volume: float = 0.0  # dB
    language: str | None = None  # None: the chunk's

    def within(self, outer: Prosody) -> Prosody:
        """This prosody nested inside ``outer``."""
        return Prosody(outer.rate * self.rate, outer.pitch * self.pitch,
                       outer.volume + self.volume, self.language or outer.language)


PLAIN = Prosody()
