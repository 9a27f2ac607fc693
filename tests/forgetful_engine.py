"""Engines that leave words out, for proving that a verified task hears what was not said.

Both speak with espeak-ng's American English voice, registered beside it
(``create_app(settings, engines=[SKIPPING, flaky(folder)])``). ``SKIPPING`` never says a
sentence with the word "forgotten" in it, every time (a deterministic engine's garbled chunk).
``flaky(folder)`` says only the first sentence of a text the first time it is given that text
(a mark in ``folder``, seen by every worker process) and the whole text after that: an engine
that may do better another time, as the upstream may.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

from voicer.engines import Speech
from voicer.engines.espeak import EspeakEngine
from voicer.engines.registry import LocalEngine
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice, VoiceCatalogue

SKIPPING_VOICE_ID = "voicer-skipping"
FLAKY_VOICE_ID = "voicer-flaky"
FORGOTTEN = "forgotten"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class SkippingEngine(EspeakEngine):
    def synthesize(self, text: str, voice: Voice, settings: VoiceSettings,
                   language: str | None = None) -> Iterator[Speech]:
        kept = [s for s in _SENTENCE_END.split(text) if FORGOTTEN not in s.lower()]
        return super().synthesize(" ".join(kept) or ".", voice, settings, language)


class FlakyEngine(EspeakEngine):
    def __init__(self, marks: str) -> None:
        super().__init__()
        self.marks = Path(marks)

    def synthesize(self, text: str, voice: Voice, settings: VoiceSettings,
                   language: str | None = None) -> Iterator[Speech]:
        mark = self.marks / hashlib.sha256(text.encode()).hexdigest()
        if not mark.exists():  # the first time: only the first sentence
            mark.touch()
            text = _SENTENCE_END.split(text)[0]
        return super().synthesize(text, voice, settings, language)


def _voice(voice_id: str) -> Voice:
    return replace(VoiceCatalogue.bundled().get("en-us-espeak"), voice_id=voice_id,
                   name=voice_id)


SKIPPING = LocalEngine("skipping", SkippingEngine, (_voice(SKIPPING_VOICE_ID),))


def flaky(marks: Path) -> LocalEngine:
    return LocalEngine("flaky", partial(FlakyEngine, str(marks)), (_voice(FLAKY_VOICE_ID),),
                       deterministic=False)
