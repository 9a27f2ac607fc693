"""References to clone, made here: a paragraph spoken by a neural voice moved off its own
pitch and pace, as WAV bytes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tests.audio_tools import Decoded
from tests.recognition.speech import wav
from voicer.voice_settings import VoiceSettings
from voicer.voices import VoiceCatalogue

PARAGRAPH = ("The old lighthouse keeper climbed the stairs every evening. He lit the lamp, wound "
             "the clock, and wrote a line in his book about the weather. Ships passed far out at "
             "sea, and none of them knew his name, but every one of them saw his light shining "
             "over the water.")


def reference(voice_id: str, engine: object, pitch: float | None, pace: float,
              text: str = PARAGRAPH) -> tuple[bytes, Decoded]:
    """``text`` said by ``voice_id`` moved to ``pitch`` (hibari only) and ``pace``: WAV bytes,
    and the samples."""
    voice = VoiceCatalogue.bundled().get(voice_id)
    own = dict(voice.params[voice.engine])
    own["pace"] = pace
    if pitch is not None:
        own["pitch"] = pitch
    voice = replace(voice, params={**voice.params, voice.engine: own})
    pieces = list(engine.synthesize(text, voice, VoiceSettings()))  # type: ignore[attr-defined]
    samples = np.concatenate([piece.samples for piece in pieces])
    rate = pieces[0].audio.rate
    return wav(samples, rate), Decoded(samples.astype(np.float32) / 32768, rate, "pcm")


