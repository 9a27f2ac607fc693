"""From text and options to the list of chunk jobs a worker can render on its own."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from voicer.encoding.formats import DEFAULT_FORMAT, OutputFormat, parse_format
from voicer.errors import EmptyText, InvalidInput, OutOfRange
from voicer.language import LanguageDetector
from voicer.models import DEFAULT_MODEL_ID, Model
from voicer.output import OutputFile
from voicer.pauses import PausePlan
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.settings import DEFAULT_CHUNK_LIMIT
from voicer.text import Chunk, SplitType, split_text
from voicer.voice_settings import VoiceSettings
from voicer.voices import DEFAULT_VOICE_ID, Voices

MAX_TEXT_CHARACTERS = 1_000_000
# The generic blocks of combining diacritics, which may stack on any letter
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

    @property
    def output_file(self) -> OutputFile:
        return OutputFile(self.split_output, parse_format(self.output_format))


@dataclass(frozen=True, slots=True)
class Plan:
    spec: RenderSpec
    model: Model
    chunks: list[Chunk]
    jobs: list[ChunkJob]
    split_output: bool

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


def make_plan(
    text: str, options: SynthesisOptions, voices: Voices, detector: LanguageDetector
) -> Plan:
    """Validate the request against the catalogue and models, and split the text."""
    check_text(text)
    if len(text) > MAX_TEXT_CHARACTERS:
        raise InvalidInput("text", f"text has {len(text):,} characters; the limit is "
                                   f"{MAX_TEXT_CHARACTERS:,}")
    voice = voices.get(options.voice_id)
    model = voices.model(options.model_id, voice)
    if options.max_chunk > model.max_characters:
        raise OutOfRange("max_chunk", options.max_chunk, 50, model.max_characters)
    forced = check_language(options.language_code, voices)
    among = voices.languages()
    main_language = forced or detector.detect(_detectable(text), among) or voice.language
    chunks = split_text(text, options.split_type, options.max_chunk, main_language)
    texts = ["", *(chunk.text for chunk in chunks), ""]
    jobs = [
        ChunkJob(
            chunk.index,
            chunk.text,
            _chunk_language(chunk.text, model, forced, detector, among),
            options.pauses.after(chunk.index, len(chunks)),
            texts[number - 1],
            texts[number + 1],
        )
        for number, chunk in enumerate(chunks, start=1)
    ]
    return Plan(render_spec(options, voices), model, chunks, jobs, options.split_output)


def render_spec(options: SynthesisOptions, voices: Voices, engine: str | None = None) -> RenderSpec:
    """How chunks are rendered; with ``engine``, the voice as that engine has it."""
    return RenderSpec(voices.get(options.voice_id, engine), options.voice_settings,
                      parse_format(options.output_format), options.model_id,
                      options.language_code and options.language_code.lower())


def check_text(text: str) -> None:
    """Something to say, and nothing a database cannot keep (PostgreSQL text holds no NUL)."""
    if not text.strip():
        raise EmptyText()
    if "\x00" in text:
        raise InvalidInput("text", f"text contains a NUL character (U+0000) at position "
                                   f"{text.index(chr(0)):,}; remove it")


def check_language(code: str | None, voices: Voices) -> str | None:
    """A forced language, lower-cased, if some voice speaks it."""
    if code is None:
        return None
    code = code.lower()
    if code not in voices.languages():
        raise InvalidInput("language_code", f"language_code {code!r} is not supported; "
                                            f"use one of {', '.join(sorted(voices.languages()))}")
    return code


def _chunk_language(
    text: str, model: Model, forced: str | None, detector: LanguageDetector, among: set[str]
) -> str | None:
    if forced is not None:
        return forced
    if not model.multilingual:
        return None
    return detector.detect(_detectable(text), among)


def _detectable(text: str) -> str:
    """``text`` as language identification should see it: accents composed, and diacritics
    that compose with nothing (stacked three deep, as in "Zalgo" text) left out. fastText
    takes Latin letters under such marks for Japanese, whose voice then spells every one."""
    return _DIACRITICS.sub("", unicodedata.normalize("NFC", text))
