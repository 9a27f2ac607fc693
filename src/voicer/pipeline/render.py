"""Turn one chunk job into an encoded, joinable segment. Runs inside a worker process."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from voicer import loudness
from voicer.audio import SILENCE_THRESHOLD, Audio, concatenate, silence, speech_bounds
from voicer.encoding.formats import OutputFormat
from voicer.encoding.mp3 import Segment
from voicer.encoding.segments import Segmenter, segmenter
from voicer.engines import Engine, Loading, WordEvent
from voicer.errors import EngineNotConfigured
from voicer.loudness import normalized
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.text.prepare import Script, prepare
from voicer.text.prosody import PLAIN, Prosody
from voicer.text.rewrite import Rewritten
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice

# A chunk that ends without trailing silence still gets this much before the next one.
MIN_NATURAL_GAP = 0.1


@dataclass(frozen=True, slots=True)
class TimedWord:
    text_offset: int  # in the chunk's text
    length: int
    start: float  # seconds from the start of the chunk's segment: its first sound
    end: float  # its last sound before the next word


def timed_words(words: tuple[WordEvent, ...], audio: Audio, start: int, end: int,
                lead: float) -> tuple[TimedWord, ...]:
    """The words of ``audio[start:end]`` (the speech of a segment whose speech starts ``lead``
    seconds in) timed by their sound: a word starts at its first sound at or after where the
    engine put it, and ends at its last sound before the next word, so the silence between
    two sentences belongs to neither."""
    if not words:  # an engine that gives none (the upstream's PCM)
        return ()
    loud = np.flatnonzero(np.abs(audio.samples[start:end].astype(np.int32)) > SILENCE_THRESHOLD)
    marks = [min(max(word.sample - start, 0), end - start) for word in words]
    bounds = [*marks[1:], end - start]
    timed = []
    for word, mark, bound in zip(words, marks, bounds, strict=True):
        first = int(np.searchsorted(loud, mark))
        begin = int(loud[first]) if first < len(loud) and loud[first] < bound else mark
        last = int(np.searchsorted(loud, bound)) - 1
        finish = int(loud[last]) + 1 if last >= 0 and loud[last] >= begin else begin
        timed.append(TimedWord(word.text_offset, word.length, lead + begin / audio.rate,
                               lead + finish / audio.rate))
    return tuple(timed)


@dataclass(frozen=True, slots=True)
class SpokenPiece:
    """A job spoken but not encoded: the engine's audio, its own silences kept."""

    index: int
    audio: Audio
    words: tuple[WordEvent, ...]  # sample offsets from the start of ``audio``
    said: str = ""  # the text the engine was given (normalized), when it differs from the job's
    said_words: tuple[WordEvent, ...] = ()  # the words in ``said``


@dataclass(frozen=True, slots=True)
class RenderedChunk:
    index: int
    segment: Segment
    rate: int  # of the decoded segment
    speech: float  # seconds of speech, engine silence trimmed
    words: tuple[TimedWord, ...]
    pause: float  # the configured pause this chunk earned, 0 if none
    synthesis_cpu: float
    encoding_cpu: float
    request_id: str | None = None  # the upstream's, when an upstream spoke it
    wall: float = 0.0  # seconds from handing it to a worker to having it back; 0: not measured

    @property
    def duration(self) -> float:
        return self.segment.samples / self.rate

    @property
    def gap(self) -> float:
        """Silence heard after this chunk's speech, the next segment's lead-in included."""
        return self.duration - self.speech


class ChunkRenderer(Protocol):
    """Renders a task's chunk jobs into segments, yielded as each is done (any order)."""

    def render(self, spec: RenderSpec, jobs: Iterable[ChunkJob]) -> Iterator[RenderedChunk]: ...


class Renderer:
    """The local engines, by name, and their encoders, owned by one worker process.

    The first engine is the default (espeak-ng), which speaks every language: a chunk in a
    language its voice's engine does not speak (the voice does not list it) goes to it.
    """

    def __init__(self, engines: Mapping[str, Engine]) -> None:
        self.engines = engines
        self.default = next(iter(engines), None)
        self.encoder = ChunkEncoder()
        loudness.load()  # before the forks that render: each would import it again

    def prepare(self, spec: RenderSpec, job: ChunkJob) -> None:
        """Load the model that will speak ``job``, if its engine loads on first use."""
        engine = self._engine(spec, job)
        if isinstance(engine, Loading):
            engine.prepare(spec.voice)

    def speak(self, spec: RenderSpec, job: ChunkJob) -> SpokenPiece:
        return self._spoken(spec, job)

    def render(self, spec: RenderSpec, job: ChunkJob) -> RenderedChunk:
        started = time.process_time()
        spoken = self._spoken(spec, job)
        return self.encoder.encode(spec, job, spoken.audio, spoken.words,
                                   time.process_time() - started)

    def _spoken(self, spec: RenderSpec, job: ChunkJob) -> SpokenPiece:
        """The job's text, prepared (markup, normalization), spoken; its words point at the
        job's text."""
        engine = self._engine(spec, job)
        script = prepare(job.text, job.language or spec.voice.language, spec.normalization,
                         getattr(engine, "reads_espeak_phonemes", False), spec.lexicon,
                         job.context)
        said = script.said
        if script.plain:
            audio, words = self._say(engine, spec.voice, spec.settings, job.language, said.text)
        else:
            audio, words = self._say_in_parts(engine, spec, job, script)
        if not said.changed:
            return SpokenPiece(job.index, audio, words)
        return SpokenPiece(job.index, audio, _traced(words, said), said.text, words)

    def _say(self, engine: Engine, voice: Voice, settings: VoiceSettings, language: str | None,
             text: str) -> tuple[Audio, tuple[WordEvent, ...]]:
        pieces = list(engine.synthesize(text, voice, settings, language))
        fmt = pieces[0].audio.format if pieces else engine.format  # a model's own rate
        audio = concatenate([piece.audio for piece in pieces], fmt)
        return audio, tuple(word for piece in pieces for word in piece.words)

    def _say_in_parts(self, engine: Engine, spec: RenderSpec, job: ChunkJob,
                      script: Script) -> tuple[Audio, tuple[WordEvent, ...]]:
        """Each stretch between breaks and changes of prosody spoken alone, as its prosody
        says; its silence at a break cut to the speech, and the break's exact silence laid
        between."""
        parts: list[Audio] = []
        words: list[WordEvent] = []
        samples = 0
        paused = False  # a break since the last speech
        last_speech: int | None = None  # where in ``parts`` the last speech is, untrimmed
        fmt = engine.format
        for part in script.parts():
            text = script.said.text[part.start:part.end]
            if text.strip():
                audio, spoken = self._say(engine, *_as_said(spec, job, part.prosody), text)
                fmt = audio.format
                first, last = speech_bounds(audio.samples)
                lead = first if paused else 0
                audio = louder(audio[lead:last if part.pause else len(audio)],
                               part.prosody.volume)
                words += [WordEvent(w.text_offset + part.start, w.length,
                                    samples + max(0, w.sample - lead)) for w in spoken]
                parts.append(audio)
                samples += len(audio)
                last_speech = None if part.pause else len(parts) - 1
                paused = False
            elif part.pause and last_speech is not None:  # the break after a space: cut the
                spoken_part = parts[last_speech]  # speech before it to its sound
                end = speech_bounds(spoken_part.samples)[1]
                samples -= len(spoken_part) - end
                parts[last_speech] = spoken_part[:end]
                last_speech = None
            gap = round(part.pause * fmt.rate)
            parts.append(Audio(silence(gap), fmt))
            samples += gap
            paused = paused or part.pause > 0
        return concatenate(parts, fmt), tuple(words)

    def _engine(self, spec: RenderSpec, job: ChunkJob) -> Engine:
        """The engine the voice names, or the default one for a language the voice lacks."""
        voice = spec.voice
        engine = self.engines.get(voice.engine)
        if engine is None:
            raise EngineNotConfigured(voice.voice_id, voice.engine)
        if (job.language is not None and job.language not in voice.languages
                and self.default is not None and voice.engine != self.default):
            return self.engines[self.default]
        return engine


def _as_said(spec: RenderSpec, job: ChunkJob,
             prosody: Prosody) -> tuple[Voice, VoiceSettings, str | None]:
    """The voice, settings and language a stretch is said with: its rate on the speed, its
    pitch on the voice's (an engine parameter only espeak-ng reads)."""
    if prosody == PLAIN:
        return spec.voice, spec.settings, job.language
    settings = spec.settings.model_copy(update={"speed": spec.settings.speed * prosody.rate})
    voice = spec.voice
    if prosody.pitch != 1.0:
        pitch = min(100, max(0, round(float(voice.params.get("pitch", 50)) * prosody.pitch)))
        voice = replace(voice, params={**voice.params, "pitch": pitch})
    return voice, settings, prosody.language or job.language


def louder(audio: Audio, decibels: float) -> Audio:
    """``audio`` louder (or softer) by ``decibels``, clipped; -inf: silent."""
    if not decibels:
        return audio
    gain = 0.0 if decibels == -math.inf else 10 ** (decibels / 20)
    scaled = np.clip(audio.samples.astype(np.float32) * gain, -32768, 32767).astype(np.int16)
    return Audio(scaled, audio.format)


def _traced(words: tuple[WordEvent, ...], said: Rewritten) -> tuple[WordEvent, ...]:
    """Words of the rewritten text, at the original characters they came from (the first
    word of a rewritten span stands for it)."""
    traced: list[WordEvent] = []
    for word in words:
        start = said.origin(word.text_offset)
        if traced and start <= traced[-1].text_offset:
            continue
        end = said.origin(word.text_offset + word.length)
        traced.append(WordEvent(start, max(1, end - start), word.sample))
    return tuple(traced)


class ChunkEncoder:
    """Encodes spoken chunks into joinable segments, one segmenter per output format."""

    def __init__(self) -> None:
        self._segmenters: dict[OutputFormat, Segmenter] = {}

    def encode(self, spec: RenderSpec, job: ChunkJob, audio: Audio,
               spoken: tuple[WordEvent, ...], synthesis_cpu: float) -> RenderedChunk:
        """Trim the engine's silences and lay out the chunk's own gap after its speech."""
        assert spec.output is not None, "render encodes: give an output format"
        started = time.process_time()
        start, end = speech_bounds(audio.samples)
        natural = max(MIN_NATURAL_GAP, (len(audio) - end) / audio.rate)
        gap = natural if job.gap is None else job.gap
        if start == end:  # nothing speakable ("...", "—", control characters): a short silence
            gap = max(gap, MIN_NATURAL_GAP)
        speech = audio[start:end]
        if spec.loudness is not None:
            speech = normalized(speech, spec.loudness)
        segment = self._segmenter(spec.output).encode(speech, gap)
        lead = segment.speech_start / spec.output.rate
        return RenderedChunk(
            job.index, segment, spec.output.rate, (end - start) / audio.rate,
            timed_words(spoken, audio, start, end, lead),
            job.gap or 0.0, synthesis_cpu, time.process_time() - started,
        )

    def _segmenter(self, target: OutputFormat) -> Segmenter:
        if target not in self._segmenters:
            self._segmenters[target] = segmenter(target)
        return self._segmenters[target]
