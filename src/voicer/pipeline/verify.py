"""Verified rendering: every chunk heard back after it is rendered, and its word error rate kept.

A chunk's audio, decoded from the segment the caller gets, is recognised by the local Whisper
model in the chunk's language and compared with what its engine was asked to say (markup read,
aliases applied, numbers and dates as words); what was heard is read the same way, so "1923"
against "nineteen twenty-three", "300" against "three hundred", "harbour" against "harbor",
case and punctuation are never errors.

An engine that may render a text differently another time (the upstream; a local engine
registered as not ``deterministic``) renders a chunk heard above the threshold again, up to a
number of renders in all, and the best render is kept. The local engines (espeak-ng, hibari,
Piper) are deterministic: a second render would sound the same, so their chunks are only
measured, and a bad one shows among a task's worst chunks.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from num2words import num2words

from voicer.encoding.segments import segment_file
from voicer.errors import InvalidInput
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.pipeline.render import ChunkRenderer, RenderedChunk
from voicer.recognition.base import Recognizer
from voicer.recognition.clip import RAW_DEMUXERS, decode
from voicer.recognition.languages import whisper_language
from voicer.recognition.wer import word_error_rate
from voicer.text.normalize import Normalization, normalize
from voicer.text.prepare import prepare
from voicer.text.rewrite import Rewritten

_LONGEST_CHUNK = 3_600.0  # seconds: far beyond any chunk (40,000 characters)
_NUMBER = re.compile(r"\b(\d+)(st|nd|rd|th)?\b", re.IGNORECASE)
_OUR = re.compile(r"\b(\w+)our\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Heard:
    """A rendered chunk as the recognizer heard it."""

    word_error_rate: float  # against what the engine was asked to say, both normalized
    text: str  # what was heard
    attempts: int = 1  # renders it took: more only for an engine that may render differently


@dataclass(frozen=True, slots=True)
class VerifiedChunk:
    rendered: RenderedChunk
    heard: Heard


class ChunkVerifier:
    """Hears rendered chunks back, and says which are worth rendering again."""

    def __init__(self, recognizer: Callable[[], Recognizer], threshold: float, attempts: int,
                 varies: Callable[[str], bool] = lambda engine: False) -> None:
        self._recognizer = recognizer  # made (its model loaded) on the first chunk heard
        self.threshold = threshold
        self.attempts = attempts
        self._varies = varies

    def hear(self, spec: RenderSpec, job: ChunkJob, rendered: RenderedChunk) -> Heard:
        assert spec.output is not None, "a verified chunk is encoded"
        output = spec.output
        raw = (output.codec, output.rate) if output.codec in RAW_DEMUXERS else None
        clip = decode(io.BytesIO(segment_file(output, rendered.segment.data)), _LONGEST_CHUNK,
                      "chunk", raw=raw)
        language = job.language or spec.language_code or spec.voice.language
        heard = self._recognizer().recognize(clip, _whisper(language)).text
        said = prepare(job.text, language, Normalization.on, lexicon=spec.lexicon,
                       context=job.context).said.text
        return Heard(round(spoken_error_rate(said, heard, language), 4), heard)

    def render(self, renderer: ChunkRenderer, spec: RenderSpec,
               jobs: Iterable[ChunkJob]) -> Iterator[VerifiedChunk]:
        """``jobs`` rendered and heard, as each is done; those heard above the threshold are
        rendered again at the end, when the voice's engine may render differently, and the
        best of their renders comes out then."""
        handed: dict[int, ChunkJob] = {}

        def handing(given: Iterable[ChunkJob]) -> Iterator[ChunkJob]:
            for job in given:
                handed[job.index] = job
                yield job

        again: dict[int, VerifiedChunk] = {}
        for rendered in renderer.render(spec, handing(jobs)):
            chunk = VerifiedChunk(rendered, self.hear(spec, handed[rendered.index], rendered))
            if self._worth_another(spec, chunk):
                again[chunk.rendered.index] = chunk
            else:
                yield chunk
        for attempt in range(2, self.attempts + 1):
            if not again:
                break
            retried = [handed[index] for index in sorted(again)]
            for rendered in renderer.render(spec, retried):
                heard = replace(self.hear(spec, handed[rendered.index], rendered), attempts=attempt)
                best = again[rendered.index]
                if heard.word_error_rate < best.heard.word_error_rate:
                    best = VerifiedChunk(rendered, heard)
                else:
                    best = replace(best, heard=replace(best.heard, attempts=attempt))
                if self._worth_another(spec, best):
                    again[rendered.index] = best
                else:
                    del again[rendered.index]
                    yield best
        yield from again.values()

    def _worth_another(self, spec: RenderSpec, chunk: VerifiedChunk) -> bool:
        return (chunk.heard.word_error_rate > self.threshold
                and chunk.heard.attempts < self.attempts and self._varies(spec.voice.engine))


def _whisper(language: str) -> str | None:
    """The language Whisper is told to hear; None (detect it) for one it does not know."""
    try:
        return whisper_language(language.split("-")[0])
    except InvalidInput:
        return None


def spoken_error_rate(said: str, heard: str, language: str) -> float:
    """The word error rate of ``heard`` against ``said`` (what the engine was given, already
    normalized), with what was heard read as the normalizer reads a text ("1923" as a year)
    or with its numbers only as words ("9 in the evening" is not nine inches), whichever
    matches better; British and American spellings (-our, -or) count alike."""
    readings = (Rewritten.apply(heard, normalize(heard, language)).text, heard)
    reference = _spelled(_numbers_as_words(said, language), language)
    return min(word_error_rate(reference, _spelled(_numbers_as_words(reading, language), language))
               for reading in readings)


def _spelled(text: str, language: str) -> str:
    """English words ending in -our as in -or: "harbour" as Whisper writes it, "harbor"."""
    return _OUR.sub(r"\1or", text) if language.startswith("en") else text


def _numbers_as_words(text: str, language: str) -> str:
    """``text`` with its numbers ("9", "300", "24th") as words: what Whisper writes in digits,
    and any the engine was given so, compare as said. Only numbers: the full normalizer reads
    units into what was heard ("9 in the evening" as "nine inches")."""
    code = language.split("-")[0]

    def said(found: re.Match[str]) -> str:
        try:
            return str(num2words(int(found[1]), lang=code, to="ordinal" if found[2] else "cardinal"))
        except (NotImplementedError, OverflowError):
            return found[0]

    return _NUMBER.sub(said, text.replace(",", ""))
