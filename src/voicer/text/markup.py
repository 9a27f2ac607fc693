"""ElevenLabs' markup in plain text: ``<break time="1.5s"/>`` and
``<phoneme alphabet="ipa|cmu-arpabet" ph="…">word</phoneme>`` (and, for chunking and language
detection, the audio tags in square brackets of ``voicer.text.cues``).

A break is an exact silence of up to 3 seconds (ElevenLabs' limit); a phoneme element is said
as its phonemes. Tags are never spoken and never split by chunking (:func:`mask`). Anything
else between angle brackets ("a < b > c") is text. Malformed markup is an ``InvalidInput``
saying at which character it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicer.errors import InvalidInput
from voicer.text import cues
from voicer.text.phonemes import ALPHABETS, to_espeak
from voicer.text.spans import MASK

MAX_BREAK_SECONDS = 3.0  # ElevenLabs' documented limit
_TAG = re.compile(r"<\s*(/?)\s*(break|phoneme)\b([^<>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"\s*([\w:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_PHONEME_OPENING = re.compile(r"<\s*phoneme\b[^<>]*>", re.IGNORECASE)
_PHONEME_CLOSING = re.compile(r"<\s*/\s*phoneme\s*>", re.IGNORECASE)
_LEADING_BREAKS = re.compile(r"(?:\s*<\s*break\b[^<>]*>)+", re.IGNORECASE)
_TRAILING_BREAK = re.compile(r"<\s*break\b[^<>]*>\s*\Z", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]*>")
_TIME = re.compile(r"\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Break:
    start: int
    end: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Phoneme:
    start: int
    end: int
    espeak: str  # the phonemes as espeak-ng's mnemonics
    word: str  # what the element encloses: said by engines that read no phonemes


Markup = Break | Phoneme


def parse(text: str) -> list[Markup]:
    """The breaks and phoneme elements of ``text``, in order; ``InvalidInput`` if malformed."""
    found: list[Markup] = []
    position = 0
    while (match := _TAG.search(text, position)) is not None:
        closing, name, rest = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            raise _malformed(match.start(), f"</{name}> closes nothing")
        attributes = _attributes(rest, match.start(), name)
        if name == "break":
            found.append(Break(match.start(), match.end(),
                               break_seconds(attributes, match.start())))
            position = match.end()
        else:
            element = _phoneme(text, match, attributes)
            found.append(element)
            position = element.end
    return found


def is_ssml(text: str) -> bool:
    """An SSML document: ``<speak>`` (or an XML declaration) first."""
    return text.lstrip().lower().startswith(("<speak", "<?xml"))


def mask(text: str) -> str:
    """``text`` with each piece of markup turned into one word of the same length, for the
    splitter: no chunk boundary can fall inside a tag or a phoneme element (in SSML, any tag)."""
    if is_ssml(text):
        return _ANY_TAG.sub(lambda tag: MASK * len(tag.group()), text)
    try:
        found: list[Markup | cues.Cue] = [*parse(text), *cues.find(text)]
    except InvalidInput:
        return text  # refused elsewhere; split as text
    if not found:
        return text
    parts, done = [], 0
    for element in sorted(found, key=lambda element: element.start):
        if element.start < done:
            continue
        parts += [text[done:element.start], MASK * (element.end - element.start)]
        done = element.end
    parts.append(text[done:])
    return "".join(parts)


def breaks_to_previous(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Chunk spans with the breaks that open a chunk moved to the end of the one before: a
    break is then the exact silence between the two, never added to a natural gap."""
    moved: list[tuple[int, int]] = []
    for start, end in spans:
        leading = _LEADING_BREAKS.match(text, start, end) if moved else None
        if leading is None:
            moved.append((start, end))
            continue
        moved[-1] = (moved[-1][0], leading.end())
        rest = len(text[leading.end():end]) - len(text[leading.end():end].lstrip())
        if leading.end() + rest < end:
            moved.append((leading.end() + rest, end))
    return moved


def ends_with_break(text: str) -> bool:
    return _TRAILING_BREAK.search(text) is not None


def complete_before(text: str, cut: int) -> int:
    """``cut``, or an earlier position, such that no tag or phoneme element of ``text`` is cut
    in two: one still being written waits for the rest, with the word before it, so that a
    break never opens what is said next (it would add to the natural pause before it)."""
    opening = text.rfind("<", 0, cut)
    if opening >= 0 and ">" not in text[opening:cut]:
        cut = opening
    tag = cues.unfinished(text[:cut])  # an audio tag still being written
    if tag is not None:
        cut = opening = tag
    openings = [found.start() for found in _PHONEME_OPENING.finditer(text, 0, cut)]
    unclosed = bool(openings) and _PHONEME_CLOSING.search(text, openings[-1], cut) is None
    if unclosed:
        cut = openings[-1]
    if cut == opening or unclosed:
        cut = text.rfind(" ", 0, len(text[:cut].rstrip())) + 1
        inside = text.rfind("<", 0, cut)  # the word before was a tag: keep it whole
        if inside >= 0 and ">" not in text[inside:cut]:
            cut = inside
    return cut


def plain(text: str) -> str:
    """``text`` with its tags (SSML's and audio tags too) as spaces, phoneme elements as their
    words (for language detection)."""
    tagless = _ANY_TAG.sub(" ", text)
    for cue in reversed(cues.find(tagless)):
        tagless = f"{tagless[:cue.start]} {tagless[cue.end:]}"
    return tagless


def _phoneme(text: str, opening: re.Match[str], attributes: dict[str, str]) -> Phoneme:
    closing = _PHONEME_CLOSING.search(text, opening.end())
    if closing is None or "<" in text[opening.end():closing.start()]:
        raise _malformed(opening.start(), "<phoneme> has no </phoneme> after its word")
    alphabet = attributes.get("alphabet", "ipa").lower()
    if alphabet not in ALPHABETS:
        raise _malformed(opening.start(), f"<phoneme> alphabet {alphabet!r} is not one of "
                                          f"{', '.join(ALPHABETS)}")
    if not attributes.get("ph", "").strip():
        raise _malformed(opening.start(), "<phoneme> needs a ph attribute with the phonemes")
    try:
        espeak = to_espeak(attributes["ph"], alphabet)
    except ValueError as error:
        raise _malformed(opening.start(), f"<phoneme> ph: {error}") from None
    return Phoneme(opening.start(), closing.end(), espeak,
                   text[opening.end():closing.start()].strip())


def _attributes(rest: str, at: int, name: str) -> dict[str, str]:
    rest = rest.strip().removesuffix("/").rstrip()
    found: dict[str, str] = {}
    position = 0
    while position < len(rest):
        match = _ATTRIBUTE.match(rest, position)
        if match is None:
            raise _malformed(at, f"<{name}> has an attribute that is not name=\"value\": "
                                 f"{rest[position:position + 30]!r}")
        found[match.group(1).lower()] = match.group(2) if match.group(2) is not None \
            else match.group(3)
        position = match.end()
    return found


def phoneme_element(text: str, start: int) -> Phoneme:
    """The phoneme element whose opening tag is at ``start``."""
    opening = _TAG.match(text, start)
    assert opening is not None and opening.group(2).lower() == "phoneme"
    return _phoneme(text, opening, _attributes(opening.group(3), start, "phoneme"))


def break_seconds(attributes: dict[str, str], at: int) -> float:
    written = attributes.get("time")
    if written is None:
        raise _malformed(at, '<break> needs a time, as <break time="1.5s"/>')
    match = _TIME.fullmatch(written)
    if match is None:
        raise _malformed(at, f"<break> time {written[:20]!r} is not seconds or milliseconds, "
                             'as "1.5s" or "500ms"')
    seconds = float(match.group(1)) / (1000 if match.group(2).lower() == "ms" else 1)
    if seconds > MAX_BREAK_SECONDS:
        raise _malformed(at, f"<break> time {written!r} is over the {MAX_BREAK_SECONDS:g} s "
                             "a break may last")
    return seconds


def _malformed(at: int, problem: str) -> InvalidInput:
    return InvalidInput("text", f"text: markup at character {at}: {problem}")
