"""From text and options to the list of chunk jobs a worker can render on its own."""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pydantic import BaseModel, ConfigDict, Field

from voicer.books import BookTags, ChapterStart, TextFormat, read_document
from voicer.encoding.formats import DEFAULT_FORMAT, OutputFormat, parse_task_format
from voicer.errors import EmptyText, InvalidInput, OutOfRange
from voicer.language import LanguageDetector, script_of, writes
from voicer.loudness import LoudnessTarget
from voicer.models import DEFAULT_MODEL_ID, Model
from voicer.output import OutputFile
from voicer.pauses import PausePlan
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.pronunciation.rules import Rule
from voicer.settings import DEFAULT_CHUNK_LIMIT
from voicer.text import Chunk, SplitType, markup, split_text, ssml
from voicer.text.normalize import Normalization
from voicer.voice_settings import VoiceSettings
from voicer.voices import DEFAULT_VOICE_ID, Voice, Voices

MAX_TEXT_CHARACTERS = 1_000_000
# The generic blocks of combining diacritics, which may stack on any letter
# A blank line (possibly with spaces) ends a paragraph.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_DIACRITICS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


class SynthesisOptions(BaseModel):
    """Everything about how a text is spoken, except the text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    voice_id: str = DEFAULT_VOICE_ID
    model_id: str = DEFAULT_MODEL_ID
    language_code: str | None = None
    split_type: SplitType = SplitType.smart
    max_chunk: int = Field(DEFAULT_CHUNK_LIMIT, ge=50)
    split_output: bool = False
    pauses: PausePlan = PausePlan()
    voice_settings: VoiceSettings = VoiceSettings()
    output_format: str = DEFAULT_FORMAT.name
    apply_text_normalization: Normalization = Normalization.auto
    # the rules of the pronunciation dictionaries asked for, resolved when the task was accepted
    lexicon: tuple[Rule, ...] = ()
    webhook_url: str | None = None  # where its completed / failed event goes (checked at submit)
    text_format: TextFormat = TextFormat.plain
    chapter_pause: float = Field(2.0, ge=0.1, le=30.0)  # seconds of silence after a chapter
    loudness: LoudnessTarget | None = LoudnessTarget()  # None: each chunk as its engine spoke it
    # every chunk heard back once rendered, its word error rate kept (``voicer.pipeline.verify``)
    verify: bool = False

    @property
    def output_file(self) -> OutputFile:
        return OutputFile(self.split_output, parse_task_format(self.output_format))


@dataclass(frozen=True, slots=True)
class Plan:
    spec: RenderSpec
    model: Model
    chunks: list[Chunk]
    jobs: list[ChunkJob]
    split_output: bool
    length: int = 0  # characters in the text planned (a book's: its chapters' text)
    tags: BookTags | None = None  # a book's chapters, title, author and cover

    @property
    def format(self) -> OutputFormat:
        assert self.spec.output is not None, "a plan's chunks are always encoded"
        return self.spec.output

    @property
    def output_file(self) -> OutputFile:
        return OutputFile(self.split_output, self.format)

    @property
    def characters(self) -> int:
        return sum(len(chunk.text) for chunk in self.chunks)


def plan_document(text: str, options: SynthesisOptions, voices: Voices,
                  detector: LanguageDetector) -> Plan:
    """:func:`make_plan` for ``text`` read as ``options.text_format``: a book's chapters are
    split on their own, so no chunk straddles two, and its plan carries the book's tags."""
    if options.text_format == TextFormat.plain:
        return make_plan(text, options, voices, detector)
    book = read_document(text, options.text_format)
    spoken, starts = book.spoken()
    plan = make_plan(spoken, options, voices, detector, starts)
    chunk_starts = [chunk.start for chunk in plan.chunks]
    firsts = [bisect.bisect_left(chunk_starts, start) for start in starts]
    chapters = tuple(ChapterStart(chapter.title or f"Chapter {number}", first)
                     for number, (chapter, first) in enumerate(zip(book.chapters, firsts, strict=True),
                                                               start=1))
    tags = BookTags(chapters, book.title, book.author, book.cover, book.cover_type)
    return replace(plan, tags=tags)


def make_plan(text: str, options: SynthesisOptions, voices: Voices, detector: LanguageDetector,
              sections: Sequence[int] = ()) -> Plan:
    """Validate the request against the catalogue and models, and split the text; each of the
    ``sections`` (where each starts) on its own, with ``chapter_pause`` after each."""
    check_text(text)
    if len(text) > MAX_TEXT_CHARACTERS:
        raise InvalidInput("text", f"text has {len(text):,} characters; the limit is "
                                   f"{MAX_TEXT_CHARACTERS:,}")
    voice = voices.get(options.voice_id)
    model = voices.model(options.model_id, voice)
    if options.max_chunk > model.max_characters:
        raise OutOfRange("max_chunk", options.max_chunk, 50, model.max_characters)
    if options.split_output and options.output_file.format.codec == "m4b":
        raise InvalidInput("split_output", "an m4b audiobook is one file with chapters; "
                                           "split_output must be false")
    forced = check_language(options.language_code, voices)
    languages = ChunkLanguages(text, voice, model, forced, detector, voices.languages())
    chunks = _split_sections(text, options, languages.main, sections)
    ends = _section_ends(chunks, sections)
    texts = ["", *(chunk.text for chunk in chunks), ""]
    document = markup.is_ssml(text)
    jobs = [
        ChunkJob(
            chunk.index,
            chunk.text,
            languages.of(chunk),
            options.chapter_pause if chunk.index in ends
            else options.pauses.after(chunk.index, len(chunks)),
            texts[number - 1],
            texts[number + 1],
            context=ssml.context(text, chunk.start) if document else "",
        )
        for number, chunk in enumerate(chunks, start=1)
    ]
    return Plan(render_spec(options, voices), model, chunks, jobs, options.split_output, len(text))


def _section_ends(chunks: list[Chunk], sections: Sequence[int]) -> set[int]:
    """The indexes of the chunks that end a section, the last chunk aside."""
    def section(chunk: Chunk) -> int:
        return bisect.bisect_right(sections, chunk.start)

    return {chunk.index for chunk, following in itertools.pairwise(chunks)
            if section(chunk) != section(following)}


def _split_sections(text: str, options: SynthesisOptions, language: str,
                    sections: Sequence[int]) -> list[Chunk]:
    if not sections:
        return split_text(text, options.split_type, options.max_chunk, language)
    chunks: list[Chunk] = []
    for begin, end in zip(sections, [*sections[1:], len(text)], strict=True):
        for chunk in split_text(text[begin:end], options.split_type, options.max_chunk, language):
            chunks.append(Chunk(len(chunks), begin + chunk.start, chunk.text))
    return chunks


def render_spec(options: SynthesisOptions, voices: Voices, engine: str | None = None) -> RenderSpec:
    """How chunks are rendered; with ``engine``, the voice as that engine has it."""
    return RenderSpec(voices.get(options.voice_id, engine), options.voice_settings,
                      parse_task_format(options.output_format), options.model_id,
                      options.language_code and options.language_code.lower(),
                      options.apply_text_normalization, options.lexicon, options.loudness)


def check_text(text: str, ssml_context: str | None = None) -> None:
    """Something to say, nothing a database cannot keep (PostgreSQL text holds no NUL), and
    well-formed markup (``<break>``, ``<phoneme>``) or SSML (a document, or a part of one read
    inside ``ssml_context``)."""
    if not text.strip():
        raise EmptyText()
    if "\x00" in text:
        raise InvalidInput("text", f"text contains a NUL character (U+0000) at position "
                                   f"{text.index(chr(0)):,}; remove it")
    if ssml_context is not None:
        ssml.parse(ssml_context + text, "en")
    elif markup.is_ssml(text):
        ssml.check(text)
    else:
        markup.parse(text)


def check_language(code: str | None, voices: Voices) -> str | None:
    """A forced language, lower-cased, if some voice speaks it."""
    if code is None:
        return None
    code = code.lower()
    if code not in voices.languages():
        raise InvalidInput("language_code", f"language_code {code!r} is not supported; "
                                            f"use one of {', '.join(sorted(voices.languages()))}")
    return code


class ChunkLanguages:
    """The language each chunk is spoken in.

    A multilingual model speaks each chunk's own language; a chunk too short to tell takes its
    paragraph's, then the whole text's, and never one whose script the chunk is not written in.
    A single-language model speaks the voice's language (``None``), unless the chunk is written
    in a script that language does not use: it is then spoken in its own language rather than
    spelled out as letter names.
    """

    def __init__(self, text: str, voice: Voice, model: Model, forced: str | None,
                 detector: LanguageDetector, among: set[str]) -> None:
        self._text, self._voice, self._model = text, voice, model
        self._forced, self._detector, self._among = forced, detector, among
        self.main = forced or detector.decide(_detectable(text), among, voice.language) \
            or voice.language
        self._paragraphs = [match.start() for match in _PARAGRAPH_BREAK.finditer(text)]
        self._paragraph_languages: dict[int, str] = {}

    def of(self, chunk: Chunk) -> str | None:
        if self._forced is not None:
            return self._forced
        text = _detectable(chunk.text)
        if not self._model.multilingual and writes(self._voice.language, script_of(text)):
            return None
        return self._detector.decide(text, self._among, self._paragraph_language(chunk.start))

    def _paragraph_language(self, position: int) -> str:
        """The language of the paragraph ``position`` is in (detected once per paragraph)."""
        number = bisect.bisect_right(self._paragraphs, position)
        if number not in self._paragraph_languages:
            begin = self._paragraphs[number - 1] if number else 0
            end = self._paragraphs[number] if number < len(self._paragraphs) else len(self._text)
            paragraph = _detectable(self._text[begin:end])
            self._paragraph_languages[number] = (
                self._detector.decide(paragraph, self._among, self.main) or self.main)
        return self._paragraph_languages[number]


def _detectable(text: str) -> str:
    """``text`` as language identification should see it: accents composed, and diacritics
    that compose with nothing (stacked three deep, as in "Zalgo" text) left out. fastText
    takes Latin letters under such marks for Japanese, whose voice then spells every one."""
    return _DIACRITICS.sub("", unicodedata.normalize("NFC", markup.plain(text)))
