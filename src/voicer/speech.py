"""Synchronous speech: a text of up to one request's length, streamed as it is made.

The first chunk is a single sentence, so its audio is encoded and on its way
while the rest is still being spoken. Each request leases a single-worker pool,
so several requests speak in parallel and never wait on a long task.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from voicer.alignment import Alignment, align
from voicer.audio import speech_bounds
from voicer.encoding.formats import OutputFormat
from voicer.encoding.streams import StreamEncoder, stream_encoder
from voicer.engines import WordEvent
from voicer.engines.registry import WorkerEngines
from voicer.language import LanguageDetector
from voicer.models import Model
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.pipeline.plan import ChunkLanguages
from voicer.pipeline.pool import WorkerPool
from voicer.pipeline.render import SpokenPiece
from voicer.pronunciation.rules import AliasRule, PhonemeRule
from voicer.text import Chunk, SplitType, markup, split_text, ssml
from voicer.text.normalize import Normalization
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice, Voices

# After the first sentence, sentences are packed up to this many characters per job:
# fewer forks, same prosody (espeak-ng speaks sentence by sentence anyway).
PACKED_CHARACTERS = 400


@dataclass(frozen=True, slots=True)
class SpeechRequest:
    """How a text is to be spoken: the same for every text of a request or a conversation."""

    voice: Voice
    model: Model
    settings: VoiceSettings
    format: OutputFormat
    language: str | None = None  # forced; else detected for multilingual models
    normalization: Normalization = Normalization.auto  # apply_text_normalization
    lexicon: tuple[AliasRule | PhonemeRule, ...] = ()  # pronunciation_dictionary_locators' rules


@dataclass(frozen=True, slots=True)
class AudioPiece:
    audio: bytes
    alignment: Alignment | None  # times from the start of the whole audio
    normalized: Alignment | None = None  # the same times, over the text as it was said

    @property
    def normalized_alignment(self) -> Alignment | None:
        return self.normalized or self.alignment


class SpeechPool:
    """Single-worker pools, lent to one request at a time, started on first demand.

    A service that only runs long tasks never pays for them; the first request
    after start-up waits for one worker to start (about half a second).
    """

    def __init__(self, size: int, engines: WorkerEngines) -> None:
        self._engine = engines
        self._free: queue.Queue[WorkerPool] = queue.Queue()
        self._all: list[WorkerPool] = []
        self._size = size
        self._lock = threading.Lock()

    @contextmanager
    def lease(self) -> Iterator[WorkerPool]:
        pool = self._take()
        try:
            yield pool
        finally:
            if not pool.healthy:  # replace a pool whose worker died
                pool = self._replace(pool)
            self._free.put(pool)

    def close(self) -> None:
        with self._lock:
            for pool in self._all:
                pool.close()

    def _take(self) -> WorkerPool:
        with self._lock:
            if self._free.empty() and len(self._all) < self._size:
                self._all.append(WorkerPool(1, self._engine))
                return self._all[-1]
        return self._free.get()

    def _replace(self, broken: WorkerPool) -> WorkerPool:
        broken.close()
        with self._lock:
            self._all.remove(broken)
            self._all.append(WorkerPool(1, self._engine))
            return self._all[-1]


def pieces(text: str, language: str) -> list[Chunk]:
    """The first sentence alone, then sentences packed; spans cover every character."""
    sentences = split_text(text, SplitType.sentences, len(text), language)
    if len(sentences) <= 1:
        return sentences
    rest_start = sentences[1].start
    packed = split_text(text[rest_start:], SplitType.smart, PACKED_CHARACTERS, language)
    return [sentences[0], *(Chunk(i + 1, rest_start + c.start, c.text)
                            for i, c in enumerate(packed))]


def speak(text: str, request: SpeechRequest, pool: WorkerPool, voices: Voices,
          detector: LanguageDetector) -> Iterator[AudioPiece]:
    """``text`` in ``request.format``, piece by piece, each with its characters' timings."""
    encoder = stream_encoder(request.format)
    yield from speak_into(encoder, text, request, pool, voices, detector)
    yield AudioPiece(encoder.finish(), None)


def speak_into(encoder: StreamEncoder, text: str, request: SpeechRequest, pool: WorkerPool,
               voices: Voices, detector: LanguageDetector,
               elapsed: float = 0.0, after_break: bool = False,
               ssml_context: str | None = None) -> Iterator[AudioPiece]:
    """Speak through an encoder the caller keeps open (one stream, many texts);
    ``after_break``: the text before ended in a ``<break>``, whose silence is exact;
    ``ssml_context``: the text is SSML read inside these open tags (a WebSocket's)."""
    languages = ChunkLanguages(text, request.voice, request.model, request.language, detector,
                               voices.languages())
    chunks = pieces(text, languages.main)
    spec = RenderSpec(request.voice, request.settings, None, normalization=request.normalization,
                      lexicon=request.lexicon)
    opened = ssml_context if ssml_context is not None else (
        "" if markup.is_ssml(text) else None)
    jobs = [ChunkJob(chunk.index, chunk.text, languages.of(chunk), None,
                     context="" if opened is None else
                     ssml.context(opened + text, len(opened) + chunk.start))
            for chunk in chunks]
    # piece i owns the characters from its chunk's start to the next chunk's start
    bounds = [0, *(chunk.start for chunk in chunks[1:]), len(text)]
    for chunk, spoken, begin, end in zip(chunks, pool.speak(spec, jobs), bounds, bounds[1:],
                                         strict=False):
        if after_break:  # the break's silence was made exactly: nothing to add to it
            spoken = _from_speech(spoken)
        after_break = markup.ends_with_break(chunk.text)
        before, after = text[begin:chunk.start], text[chunk.start + len(chunk.text):end]
        timing = _aligned(before, chunk.text, after, spoken.words, spoken, elapsed)
        normalized = None
        if spoken.said:
            normalized = _aligned(before, spoken.said, after, spoken.said_words, spoken, elapsed)
        elapsed += spoken.audio.duration
        yield AudioPiece(encoder.encode(spoken.audio), timing, normalized)


def _from_speech(spoken: SpokenPiece) -> SpokenPiece:
    """``spoken`` without the silence before its speech."""
    lead = speech_bounds(spoken.audio.samples)[0]
    if not lead:
        return spoken
    return replace(spoken, audio=spoken.audio[lead:], words=_earlier(spoken.words, lead),
                   said_words=_earlier(spoken.said_words, lead))


def _earlier(words: tuple[WordEvent, ...], samples: int) -> tuple[WordEvent, ...]:
    return tuple(WordEvent(w.text_offset, w.length, max(0, w.sample - samples)) for w in words)


def _aligned(before: str, said: str, after: str, words: Sequence[WordEvent],
             spoken: SpokenPiece, elapsed: float) -> Alignment:
    """The timings of ``said`` and the whitespace around it that its piece owns."""
    shifted = [WordEvent(w.text_offset + len(before), w.length, w.sample) for w in words]
    return align(before + said + after, shifted, len(spoken.audio), spoken.audio.rate, elapsed)
