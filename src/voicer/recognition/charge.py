"""What recognising audio costs: characters of the same quota, by the second of audio.

Listening is charged like speaking, from ``total_characters``: one second of audio costs
``VOICER_STT_CHARACTERS_PER_SECOND`` characters (15 by default, about what a reader speaks in
a second), rounded up, reserved before recognition starts and given back if it fails.
"""

from __future__ import annotations

import math


def audio_characters(seconds: float, per_second: float) -> int:
    return math.ceil(seconds * per_second)
