"""Which recognizer listens to a request: the recognition section of the engine registry.

Recognition engines register as the speech engines do (``voicer.engines.registry``): a name and
a picklable factory. Each is made once per process, when first asked for, and held by the
``Runtime``. ElevenLabs' Scribe model ids route to the upstream's Scribe when a key is configured
(``voicer.recognition.scribe``), unless ``VOICER_ELEVENLABS_SCRIBE=local``; without a key, or
told so, to the local Whisper model, as premade voice ids go to local voices.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from voicer.errors import UnknownModel
from voicer.recognition.base import Recognizer, RecognizerFactory
from voicer.recognition.parallel import ParallelRecognizer, ThreadedRecognizer
from voicer.recognition.scribe import UpstreamScribe
from voicer.recognition.weights import model_directory
from voicer.recognition.whisper import WHISPER, WhisperRecognizer
from voicer.settings import Settings

if TYPE_CHECKING:
    from voicer.upstream.engine import Upstream

# ElevenLabs' speech-to-text model ids, and Voicer's own: which engine each is.
SCRIBE_MODELS = ("scribe_v1", "scribe_v1_experimental", "scribe_v2")


@dataclass(frozen=True, slots=True)
class RecognitionEngine:
    """A recognizer by name, its factory, and the model ids that route to it."""

    name: str
    make: RecognizerFactory
    model_ids: tuple[str, ...] = ()


class RecognizerRegistry:
    """Every recognition engine of this process; each made on first use, then kept."""

    def __init__(self, engines: Sequence[RecognitionEngine]) -> None:
        self._engines = {engine.name: engine for engine in engines}
        self._routes = {model_id: engine.name for engine in engines
                        for model_id in (engine.name, *engine.model_ids)}
        self._made: dict[str, Recognizer] = {}
        self._lock = threading.Lock()

    @property
    def model_ids(self) -> list[str]:
        return list(self._routes)

    def for_model(self, model_id: str) -> Recognizer:
        """The recognizer ``model_id`` routes to; ``UnknownModel`` if none does."""
        return self.get(self.engine_of(model_id))

    def engine_of(self, model_id: str) -> str:
        """The name of the engine ``model_id`` routes to; ``UnknownModel`` if none does."""
        name = self._routes.get(model_id)
        if name is None:
            raise UnknownModel(model_id, self.model_ids)
        return name

    def relay_for(self, model_id: str) -> UpstreamScribe | None:
        """The upstream's Scribe if ``model_id`` routes there (its requests are relayed)."""
        recognizer = self.for_model(model_id)
        return recognizer if isinstance(recognizer, UpstreamScribe) else None

    def default(self) -> Recognizer:
        return self.get(next(iter(self._engines)))

    def get(self, name: str) -> Recognizer:
        with self._lock:
            if name not in self._made:
                self._made[name] = self._engines[name].make()
            return self._made[name]


def recognition_engines(settings: Settings, upstream: Upstream | None) -> list[RecognitionEngine]:
    """The local Whisper model (the default, first) and, with the upstream, its Scribe, each
    answering to the Scribe ids as ``VOICER_ELEVENLABS_SCRIBE`` says. The Scribe's factory holds
    this process's upstream connection, so it does not pickle: every process opens its own."""
    if upstream is None or settings.elevenlabs_scribe == "local":
        return [whisper(settings.stt_model, settings.data_dir)]
    return [whisper(settings.stt_model, settings.data_dir, ()),
            RecognitionEngine(UpstreamScribe.name, partial(UpstreamScribe, upstream),
                              SCRIBE_MODELS)]


def whisper(spec: str, data_dir: Path,
            model_ids: tuple[str, ...] = SCRIBE_MODELS) -> RecognitionEngine:
    """The local Whisper model ``VOICER_STT_MODEL`` names, answering to ``model_ids``."""
    return RecognitionEngine(WHISPER, partial(local_whisper, spec, data_dir), model_ids)


def local_whisper(spec: str, data_dir: Path, workers: int = 1) -> WhisperRecognizer:
    return WhisperRecognizer(model_directory(spec, data_dir), workers=workers)


def parallel_whisper(spec: str, data_dir: Path, processes: int) -> ParallelRecognizer:
    """The same model in ``processes`` worker processes, for long audio cut at silences."""
    return ParallelRecognizer(partial(model_directory, spec, data_dir), processes)


def threaded_whisper(spec: str, data_dir: Path, threads: int) -> ThreadedRecognizer:
    """The model once, heard with in ``threads`` threads: long audio, in less memory."""
    return ThreadedRecognizer(partial(model_directory, spec, data_dir), threads)
