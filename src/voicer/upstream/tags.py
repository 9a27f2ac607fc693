"""Audio tags on their way to the upstream: kept for the models that perform them, taken out
for the rest.

ElevenLabs performs ``[excited]``, ``[whispers]``, ``[sighs]``… only with ``eleven_v3`` (any
model id starting ``eleven_v3``, or one whose upstream listing says ``"supports_audio_tags":
true``); its older models (``eleven_multilingual_v2``, ``eleven_flash_v2_5``,
``eleven_turbo_v2_5``…) read a tag aloud as words. For those, every tag ``voicer.text.cues``
recognises is removed before the text goes upstream, except the pauses: ``[pause]``,
``[short pause]`` and ``[long pause]`` become ``<break time="0.5s" />`` (0.3 s, 1.5 s), the
break those models honour. Text in brackets that is not a tag (``[1]``) goes as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voicer.text import cues

TAGGED_MODELS = "eleven_v3"  # the prefix of the model ids that perform audio tags


def performed(model_id: str, listing: Mapping[str, Any] | None = None) -> bool:
    """Whether the upstream's ``model_id`` performs audio tags (so they go as they are)."""
    return model_id.startswith(TAGGED_MODELS) or bool((listing or {}).get("supports_audio_tags"))


def untagged(text: str) -> str:
    """``text`` with its tags taken out, its pauses made breaks."""
    kept: list[str] = []
    at = 0
    for cue in cues.find(text):
        kept.append(text[at:cue.start])
        if cue.pause:
            kept.append(f'<break time="{cue.pause:g}s" /> ')
        at = cue.end
    kept.append(text[at:])
    return "".join(kept)


class TagFilter:
    """``untagged`` over text that arrives in pieces (a WebSocket's messages): a tag still
    being written at the end of a piece (``[whisp``) is held back until the next one."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> str:
        text, self._held = self._held + text, ""
        cut = cues.unfinished(text)
        if cut is not None:
            text, self._held = text[:cut], text[cut:]
        return untagged(text)

    def flush(self) -> str:
        """What was held back, as it is: the input ended before a tag closed."""
        held, self._held = self._held, ""
        return held
