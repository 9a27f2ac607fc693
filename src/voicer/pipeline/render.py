"""Turn one chunk job into an encoded, joinable segment. Runs inside a worker process."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from voicer.audio import Samples, speech_bounds
from voicer.encoding.mp3 import Mp3Format, Segment, SegmentEncoder
from voicer.engines import Engine, WordEvent
from voicer.pipeline.jobs import ChunkJob, RenderSpec

# A chunk that ends without trailing silence still gets this much before the next one.
MIN_NATURAL_GAP = 0.1


@dataclass(frozen=True, slots=True)
class TimedWord:
    text_offset: int  # in the chunk's text
    length: int
    start: float  # seconds from the start of the chunk's segment


@dataclass(frozen=True, slots=True)
class SpokenPiece:
    """A job spoken but not encoded: the engine's PCM, its own silences kept."""

    index: int
    samples: Samples
    rate: int
    words: tuple[WordEvent, ...]  # sample offsets from the start of ``samples``


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
    """One engine and its encoders, owned by one worker process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.encoder = ChunkEncoder()

    def speak(self, spec: RenderSpec, job: ChunkJob) -> SpokenPiece:
        pieces = list(self.engine.synthesize(job.text, spec.voice, spec.settings, job.language))
        samples = np.concatenate([piece.samples for piece in pieces] or [np.zeros(0, np.int16)])
        words = tuple(word for piece in pieces for word in piece.words)
        return SpokenPiece(job.index, samples, self.engine.format.rate, words)

    def render(self, spec: RenderSpec, job: ChunkJob) -> RenderedChunk:
        started = time.process_time()
        pieces = list(self.engine.synthesize(job.text, spec.voice, spec.settings, job.language))
        samples = np.concatenate([piece.samples for piece in pieces] or [np.zeros(0, np.int16)])
        spoken = tuple(word for piece in pieces for word in piece.words)
        del pieces  # keep one copy of the audio, not two
        return self.encoder.encode(spec, job, samples, self.engine.format.rate, spoken,
                                   time.process_time() - started)


class ChunkEncoder:
    """Encodes spoken chunks into joinable segments, one encoder per rate and format."""

    def __init__(self) -> None:
        self._encoders: dict[tuple[int, Mp3Format], SegmentEncoder] = {}

    def encode(self, spec: RenderSpec, job: ChunkJob, samples: Samples, rate: int,
               spoken: tuple[WordEvent, ...], synthesis_cpu: float) -> RenderedChunk:
        """Trim the engine's silences and lay out the chunk's own gap after its speech."""
        assert spec.output is not None, "render encodes: give an output format"
        started = time.process_time()
        start, end = speech_bounds(samples)
        natural = max(MIN_NATURAL_GAP, (len(samples) - end) / rate)
        gap = natural if job.gap is None else job.gap
        if start == end:  # nothing speakable ("...", "—", control characters): a short silence
            gap = max(gap, MIN_NATURAL_GAP)
        segment = self._encoder(rate, spec.output).encode(samples[start:end], gap)
        lead = segment.speech_start / spec.output.rate
        words = tuple(
            TimedWord(word.text_offset, word.length, lead + max(0, word.sample - start) / rate)
            for word in spoken
        )
        return RenderedChunk(
            job.index, segment, spec.output.rate, (end - start) / rate, words,
            job.gap or 0.0, synthesis_cpu, time.process_time() - started,
        )

    def _encoder(self, rate: int, target: Mp3Format) -> SegmentEncoder:
        if (rate, target) not in self._encoders:
            self._encoders[rate, target] = SegmentEncoder(rate, target)
        return self._encoders[rate, target]
