"""A Voice API script: who says what, and the emotion cues in square brackets.

Speakers are marked ``[S1]``, ``[S2]``… anywhere, or ``Speaker 1:``, ``Speaker 2:``… at the
start of a line; marker N is spoken by the N-th entry of ``model_ids`` (text before the first marker by
the first). Other words in square brackets are cues. The local engines cannot act them, so
they are never spoken: ``[pause]`` becomes a 0.5 s break, ``[long pause]`` a 1.5 s one, and
every other cue (``[excited]``, ``[whisper]``, ``[sigh]``, ``[laughs]``…) is taken out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicer.errors import EmptyText, InvalidInput
from voicer.text import cues

_MARKER = re.compile(r"\[S(\d{1,2})\][ \t]*|^[ \t]*Speaker[ \t]+(\d{1,2})[ \t]*:[ \t]*",
                     re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Line:
    """What one speaker says, cues already turned into breaks or taken out."""

    text: str
    speaker: int  # 1-based, as the marker says
    voice_id: str


def parse(script: str, model_ids: list[str]) -> list[Line]:
    """The script's lines in order, each with its speaker's voice; consecutive text of one
    speaker is one line. ``InvalidInput`` for a marker with no model, or nothing to say."""
    lines: list[Line] = []
    speaker, start = 1, 0
    for marker in _MARKER.finditer(script):
        _add(lines, script[start:marker.start()], speaker, model_ids)
        speaker = int(marker.group(1) or marker.group(2))
        start = marker.end()
    _add(lines, script[start:], speaker, model_ids)
    if not lines:
        raise EmptyText()
    return lines


def without_cues(text: str) -> str:
    """``text`` with its cues (``voicer.text.cues``) taken out, pauses made breaks."""
    for cue in reversed(cues.find(text)):
        made = f'<break time="{cue.pause:g}s"/> ' if cue.pause else ""
        text = text[:cue.start] + made + text[cue.end:]
    return text


def _add(lines: list[Line], text: str, speaker: int, model_ids: list[str]) -> None:
    said = without_cues(text).strip()
    if not said:
        return
    if not 1 <= speaker <= len(model_ids):
        raise InvalidInput("model_ids", f"model_ids: speaker {speaker} is marked in the text, "
                                        f"but model_ids names {len(model_ids)} model(s)")
    if lines and lines[-1].speaker == speaker:
        lines[-1] = Line(f"{lines[-1].text} {said}", speaker, lines[-1].voice_id)
    else:
        lines.append(Line(said, speaker, model_ids[speaker - 1]))
