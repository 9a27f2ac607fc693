"""Audio tags in square brackets — ElevenLabs v3's ``[whispers]``, ``[excited]``, ``[sighs]``,
the Voice API's emotion cues — which the local engines never speak.

A tag is one to four words of letters in square brackets. What the local engines can express,
they do, from the tag to the next tag that changes it or the end of the chunk:

=====================================  ==============================================
``[pause]``, ``[short pause]``,        an exact silence of 0.5, 0.3 or 1.5 s
``[long pause]``
``[whisper]``, ``[whispers]``,         12 dB softer, a little slower
``[whispering]``
``[softly]``, ``[quietly]``            6 dB softer
``[shouting]``, ``[shouts]``,          4 dB louder, a little faster
``[loudly]``
``[excited]``, ``[happy]``,            faster, and higher (pitch: espeak-ng only)
``[cheerfully]``
``[sad]``, ``[sadly]``, ``[tired]``    slower, and lower (pitch: espeak-ng only)
``[slowly]``, ``[calm]``, ``[calmly]`` slower
``[quickly]``, ``[fast]``              faster
``[normal]``, ``[neutral]``            as the request says again
=====================================  ==============================================

Every other tag (``[sighs]``, ``[laughs]``, ``[sarcastic]``, ``[curious]``, ``[crying]``…) is
taken out: no engine here can laugh or sigh, and none reads the tag aloud. Text in brackets
that is not a tag (``[1]``, ``[[phonemes]]``) stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicer.text.prosody import PLAIN, Prosody

_TAG = re.compile(r"\[([A-Za-z]+(?:[ '-][A-Za-z]+){0,3})\]")
# where a tag may still be being written: an opening bracket with letters after it, unclosed
_OPEN = re.compile(r"\[[A-Za-z' -]{0,40}\Z")

PAUSES = {"pause": 0.5, "short pause": 0.3, "long pause": 1.5}
_WHISPER = Prosody(rate=0.92, volume=-12.0)
_SOFT = Prosody(volume=-6.0)
_LOUD = Prosody(rate=1.05, volume=4.0)
_BRIGHT = Prosody(rate=1.1, pitch=1.1)
_LOW = Prosody(rate=0.9, pitch=0.93)
PROSODY = {
    "whisper": _WHISPER, "whispers": _WHISPER, "whispering": _WHISPER,
    "softly": _SOFT, "quietly": _SOFT,
    "shouting": _LOUD, "shouts": _LOUD, "loudly": _LOUD,
    "excited": _BRIGHT, "happy": _BRIGHT, "cheerfully": _BRIGHT,
    "sad": _LOW, "sadly": _LOW, "tired": _LOW,
    "slowly": Prosody(rate=0.85), "calm": Prosody(rate=0.92), "calmly": Prosody(rate=0.92),
    "quickly": Prosody(rate=1.15), "fast": Prosody(rate=1.15),
    "normal": PLAIN, "neutral": PLAIN,
}


@dataclass(frozen=True, slots=True)
class Cue:
    start: int
    end: int  # the tag and the spaces after it
    pause: float  # seconds of exact silence it makes; 0: none
    prosody: Prosody | None  # how what follows is said; None: no change


def find(text: str) -> list[Cue]:
    """The tags of ``text``, in order."""
    found = []
    for match in _TAG.finditer(text):
        if match.start() > 0 and text[match.start() - 1] == "[":  # [[phonemes]]
            continue
        name = match.group(1).lower()
        end = match.end() + len(text[match.end():]) - len(text[match.end():].lstrip(" \t"))
        found.append(Cue(match.start(), end, PAUSES.get(name, 0.0), PROSODY.get(name)))
    return found


def unfinished(text: str) -> int | None:
    """Where a tag at the end of ``text`` may still be being written (``[whisp``), if one is."""
    match = _OPEN.search(text)
    return match.start() if match is not None else None
