"""An engine that "speaks" a sine tone at any sample rate, for checking that nothing assumes 22,050 Hz.

It stands in for espeak-ng (``create_app(settings, tone_engine(rate))``), or registers beside it
with a voice of its own (``create_app(settings, engines=[TONE])``): the whole of adding an engine.

Each chunk is a 440 Hz tone of ``SECONDS_PER_CHARACTER`` per character, with soft edges (so
MP3's pre-echo stays under the silence threshold), between a little leading silence and the
trailing silence a real engine leaves. Its speech lasts exactly :func:`speech_seconds`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import numpy as np

from voicer.audio import Audio, AudioFormat
from voicer.engines import EngineFactory, Speech, WordEvent
from voicer.engines.registry import LocalEngine
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice

SECONDS_PER_CHARACTER = 0.03
LEADING = 0.05  # seconds of silence before the tone, trimmed by the pipeline
TRAILING = 0.3  # and after it: the natural gap
_EDGE = 0.01  # seconds of fade in and out
RATES = (16_000, 22_050, 24_000, 48_000)


def speech_seconds(text: str) -> float:
    return len(text) * SECONDS_PER_CHARACTER


def tone(seconds: float, rate: int) -> np.ndarray:
    count = round(seconds * rate)
    wave = np.sin(2 * np.pi * 440 * np.arange(count) / rate) * 12_000
    edge = min(round(_EDGE * rate), count // 2)
    ramp = np.sin(np.linspace(0, np.pi / 2, edge)) ** 2
    if edge:
        wave[:edge] *= ramp
        wave[-edge:] *= ramp[::-1]
    return wave.astype(np.int16)


class ToneEngine:
    def __init__(self, rate: int) -> None:
        self.format = AudioFormat(rate)

    def synthesize(self, text: str, voice: Voice, settings: VoiceSettings,
                   language: str | None = None) -> Iterator[Speech]:
        rate = self.format.rate
        lead = np.zeros(round(LEADING * rate), np.int16)
        yield Speech(Audio(lead, self.format), (WordEvent(0, len(text), len(lead)),))
        yield Speech(Audio(tone(speech_seconds(text), rate), self.format))
        yield Speech(Audio(np.zeros(round(TRAILING * rate), np.int16), self.format))


def tone_engine(rate: int) -> EngineFactory:
    """A factory a worker process can be given (it pickles)."""
    return partial(ToneEngine, rate)


TONE_RATE = 48_000
TONE_VOICE_ID = "voicer-tone-48k"
# An engine of its own, with its own voice, registered beside espeak-ng.
TONE = LocalEngine("tone", tone_engine(TONE_RATE), (Voice(
    voice_id=TONE_VOICE_ID, name="Tone", languages=("en",), gender="neutral", age="young",
    accent="none", description="a 440 Hz sine", use_case="testing",
    long_description="A 48 kHz sine tone, as long as the text, for checking the engine registry.",
    params={"hertz": 440}),))
