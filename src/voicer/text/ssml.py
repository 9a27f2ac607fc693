"""SSML: a text that starts with ``<speak>`` (or any text, over a WebSocket opened with
``enable_ssml_parsing``), read into what Voicer's engines can do.

======================================  ================================================
``<break time="1s"/>``, ``strength``    an exact silence (strength: 0 to 1.2 s)
``<prosody rate pitch volume>``         the stretch spoken faster or slower, higher or
                                        lower (espeak-ng), louder or softer (any engine)
``<emphasis level>``                    strong: slower, higher, louder; reduced: the reverse
``<say-as interpret-as>``               cardinal, ordinal, date, time, characters, telephone
``<sub alias>``                         the alias is said instead
``<lang xml:lang>``                     the stretch spoken in that language
``<phoneme>``                           as in plain text (``voicer.text.markup``)
``<speak>``, ``<p>``, ``<s>``           read through
======================================  ================================================

Tags are never spoken, entities (``&amp;``) are read as their characters, and the text keeps
its place: every edit is of the caller's characters. A chunk of a long document is read with
the tags open at its start (:func:`context`). Malformed SSML is an ``InvalidInput`` saying at
which character.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

from voicer.errors import InvalidInput
from voicer.text import markup
from voicer.text.normalize import say_as
from voicer.text.prosody import PLAIN, Prosody
from voicer.text.rewrite import Edit

_TAG = re.compile(r"<(/?)\s*([A-Za-z][\w:.-]*)([^<>]*?)(/?)>|<!--[\s\S]*?-->|<\?[^<>]*\?>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_ATTRIBUTE = re.compile(r"\s*([\w:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_STRENGTHS = {"none": 0.0, "x-weak": 0.1, "weak": 0.25, "medium": 0.4, "strong": 0.75,
              "x-strong": 1.2}
_RATES = {"x-slow": 0.6, "slow": 0.8, "medium": 1.0, "default": 1.0, "fast": 1.25,
          "x-fast": 1.5}
_PITCHES = {"x-low": 0.6, "low": 0.8, "medium": 1.0, "default": 1.0, "high": 1.25,
            "x-high": 1.5}
_VOLUMES = {"silent": -math.inf, "x-soft": -12.0, "soft": -6.0, "medium": 0.0,
            "default": 0.0, "loud": 6.0, "x-loud": 12.0}
_ELEMENTS = {"speak", "p", "s", "break", "prosody", "emphasis", "say-as", "sub", "lang",
             "phoneme", "voice", "mark"}




@dataclass(frozen=True, slots=True)
class Parsed:
    edits: list[Edit]  # of the caller's characters: tags out, aliases and readings in
    breaks: list[markup.Break]
    changes: list[tuple[int, Prosody]]  # from this original position on, said so


is_ssml = markup.is_ssml


def check(text: str) -> None:
    """A whole document, strictly: every element closed, every value readable."""
    parse(text, "en", strict=True)


def context(text: str, position: int) -> str:
    """The tags open at ``position`` of a document, in order: what a chunk starting there is
    read inside."""
    stack: list[str] = []
    for match in _TAG.finditer(text, 0, position):
        closing, name, _, empty = match.groups()
        if name is None or empty:
            continue
        if closing:
            if stack and _name(stack[-1]) == name.lower():
                stack.pop()
        else:
            stack.append(match.group())
    return "".join(stack)


def parse(text: str, language: str, strict: bool = False) -> Parsed:
    """The edits, breaks and prosody of an SSML document or a chunk of one (``strict``: a whole
    document, whose elements must all be closed)."""
    return _Reading(text, language, strict).read()


@dataclass(slots=True)
class _Open:
    name: str
    start: int  # where its content starts
    prosody: Prosody
    attributes: dict[str, str]


class _Reading:
    """One pass over a document's tags, in order."""

    def __init__(self, text: str, language: str, strict: bool) -> None:
        self.text, self.language, self.strict = text, language, strict
        self.edits: list[Edit] = []
        self.breaks: list[markup.Break] = []
        self.changes: list[tuple[int, Prosody]] = []
        self.open: list[_Open] = []

    def read(self) -> Parsed:
        position = 0
        for match in _TAG.finditer(self.text):
            if match.start() < position:
                continue  # inside a phoneme element already read
            _text_edits(self.text, position, match.start(), self.edits)
            position = self._tag(match)
        _text_edits(self.text, position, len(self.text), self.edits)
        if self.strict and self.open:
            raise _malformed(len(self.text), f"<{self.open[-1].name}> is never closed")
        for element in reversed(self.open):  # a chunk ends inside: read what is there
            self._content(element, len(self.text))
        return Parsed(_in_order(self.edits), self.breaks, self.changes)

    @property
    def prosody(self) -> Prosody:
        return self.open[-1].prosody if self.open else PLAIN

    def _tag(self, match: re.Match[str]) -> int:
        """Read one tag; where reading goes on."""
        closing, name, rest, empty = match.groups()
        if name is None:  # a comment or an XML declaration
            self.edits.append(Edit(match.start(), match.end(), ""))
            return match.end()
        name = name.lower()
        if name not in _ELEMENTS:
            raise _malformed(match.start(), f"<{name}> is not an SSML element Voicer reads")
        if closing:
            self._close(match, name)
        self.edits.append(Edit(match.start(), match.end(), ""))
        if closing:
            return match.end()
        attributes = _attributes(rest, match.start(), name)
        if name == "break":
            seconds = _break_seconds(attributes, match.start())
            self.breaks.append(markup.Break(match.start(), match.end(), seconds))
        elif name == "phoneme" and not empty:
            element = markup.phoneme_element(self.text, match.start())
            self.edits[-1] = Edit(element.start, element.end, f"[[{element.espeak}]]")
            return element.end
        elif not empty:
            prosody = _prosody(name, attributes, match.start()).within(self.prosody)
            if prosody != self.prosody:
                self.changes.append((match.end(), prosody))
            self.open.append(_Open(name, match.end(), prosody, attributes))
        return match.end()

    def _close(self, match: re.Match[str], name: str) -> None:
        if not self.open:
            if self.strict:
                raise _malformed(match.start(), f"</{name}> closes nothing")
            return  # closes what a chunk before opened
        if self.open[-1].name != name:
            raise _malformed(match.start(), f"</{name}> closes <{self.open[-1].name}>")
        element = self.open.pop()
        self._content(element, match.start())
        if self.prosody != element.prosody:
            self.changes.append((match.end(), self.prosody))

    def _content(self, element: _Open, end: int) -> None:
        """What an element's content is said as, when it is not its text (``sub``,
        ``say-as``)."""
        start, attributes = element.start, element.attributes
        if element.name == "sub":
            said = attributes.get("alias", self.text[start:end])
        elif element.name == "say-as":
            said = say_as(html.unescape(self.text[start:end]), attributes.get("interpret-as", ""),
                          attributes.get("format", ""), self.language or "en")
        else:
            return
        while self.edits and start <= self.edits[-1].start < end:  # its content's own edits
            self.edits.pop()
        self.edits.append(Edit(start, end, said))


def _text_edits(text: str, start: int, end: int, edits: list[Edit]) -> None:
    """Entities in text: their characters."""
    if "<" in text[start:end] or ">" in text[start:end]:
        at = min(i for i in (text.find("<", start, end), text.find(">", start, end)) if i >= 0)
        raise _malformed(at, f"{text[at]!r} in SSML text is written &lt; or &gt;")
    for entity in _ENTITY.finditer(text, start, end):
        edits.append(Edit(entity.start(), entity.end(), html.unescape(entity.group())))


def _prosody(name: str, attributes: dict[str, str], at: int) -> Prosody:
    if name == "prosody":
        return Prosody(_relative(attributes.get("rate"), _RATES, at, "rate"),
                       _relative(attributes.get("pitch"), _PITCHES, at, "pitch"),
                       _decibels(attributes.get("volume"), at))
    if name == "emphasis":
        level = attributes.get("level", "moderate")
        return {"strong": Prosody(0.85, 1.15, 4.0), "moderate": Prosody(0.92, 1.08, 2.0),
                "reduced": Prosody(1.1, 0.92, -4.0), "none": PLAIN}.get(level, PLAIN)
    if name in ("lang", "voice") and ("xml:lang" in attributes or "lang" in attributes):
        given = attributes.get("xml:lang") or attributes.get("lang") or ""
        return Prosody(language=given.split("-")[0].lower() or None)
    return PLAIN


def _relative(given: str | None, names: dict[str, float], at: int, what: str) -> float:
    """A rate or pitch: a name, a percentage ("80%", "+10%"), semitones ("+2st"), a number."""
    if given is None:
        return 1.0
    value = given.strip().lower()
    if value in names:
        return names[value]
    match = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)\s*(%|st)?", value)
    if match is None:
        raise _malformed(at, f"<prosody> {what} {given!r} is not a name, a percentage or a number")
    number, unit = float(match.group(1)), match.group(2)
    if unit == "st":
        return float(2 ** (number / 12))
    if unit != "%":
        factor = number
    elif value[0] in "+-":
        factor = 1 + number / 100
    else:
        factor = number / 100
    if not 0.25 <= factor <= 4:
        raise _malformed(at, f"<prosody> {what} {given!r} is out of range (25% to 400%)")
    return factor


def _decibels(given: str | None, at: int) -> float:
    if given is None:
        return 0.0
    value = given.strip().lower()
    if value in _VOLUMES:
        return _VOLUMES[value]
    match = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)\s*db", value)
    if match is None:
        raise _malformed(at, f"<prosody> volume {given!r} is not a name or decibels (\"+6dB\")")
    return float(match.group(1))


def _break_seconds(attributes: dict[str, str], at: int) -> float:
    if "time" in attributes:
        return markup.break_seconds(attributes, at)
    strength = attributes.get("strength", "medium")
    if strength not in _STRENGTHS:
        raise _malformed(at, f"<break> strength {strength!r} is not one of "
                             f"{', '.join(_STRENGTHS)}")
    return _STRENGTHS[strength]


def _attributes(rest: str, at: int, name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    position, rest = 0, rest.rstrip()
    while position < len(rest):
        match = _ATTRIBUTE.match(rest, position)
        if match is None:
            raise _malformed(at, f"<{name}> has an attribute that is not name=\"value\": "
                                 f"{rest[position:position + 30]!r}")
        value = match.group(2) if match.group(2) is not None else match.group(3)
        found[match.group(1).lower()] = html.unescape(value)
        position = match.end()
    return found


def _in_order(edits: list[Edit]) -> list[Edit]:
    ordered: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if ordered and edit.start < ordered[-1].end:
            continue  # inside an element already said otherwise
        ordered.append(edit)
    return ordered


def _name(tag: str) -> str:
    match = _TAG.match(tag)
    return match.group(2).lower() if match and match.group(2) else ""


def _malformed(at: int, problem: str) -> InvalidInput:
    return InvalidInput("text", f"text: SSML at character {at}: {problem}")

