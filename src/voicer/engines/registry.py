"""Which engine speaks a voice, a model or a task: every engine, registered once at start-up.

Two kinds of speech engine register here:

- a *local* engine (:class:`LocalEngine`) runs in Voicer's worker processes: espeak-ng, any
  engine passed to ``create_app(settings, engines=[...])`` and any ``VOICER_ENGINES`` names
  (:func:`import_engines`). Its factory travels to each
  worker process (so it must pickle), which makes one of every local engine and speaks each
  chunk with the one its voice names;
- a *remote* engine (:class:`RemoteEngine`) runs in this process: the real ElevenLabs API, when a
  key is configured. It speaks a text as every engine does (the same
  :class:`~voicer.engines.base.Engine` protocol), and also renders task chunks itself (with the
  neighbouring chunks' context) and is relayed ElevenLabs requests as they are.

Every voice names its engine (``Voice.engine``; a model's engine is its voice's) and a task
keeps the engine it was accepted with. Routes, runners and the queue ask this registry about
that name (``relays``, ``pooled``, ``renderers``); none compares engine names itself.

The next kinds (speech recognition, audio tools) take the same shape: a protocol of their own
beside :class:`~voicer.engines.base.Engine`, a registration carrying a name and a picklable
factory, and a section of this registry answering "which engine does this" for its routes.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from voicer.engines.base import Engine, EngineFactory
from voicer.models import LOCAL_ENGINE
from voicer.pipeline.render import ChunkRenderer
from voicer.voices import Voice

# espeak-ng's speed per worker, from the core benchmark (100,000 characters, 5,761 s of audio in
# 30.2 s on two workers: 191x realtime each), rounded down: an engine's speed unless it says.
DEFAULT_SPEED = 150.0


@dataclass(frozen=True, slots=True)
class LocalEngine:
    """An engine run in the worker processes, and the voices it speaks."""

    name: str
    make: EngineFactory  # called once in each worker process: a class, a function, a partial
    voices: tuple[Voice, ...] = ()  # registered as this engine's, whatever ``engine`` they say
    # Seconds of speech one worker makes a second, encoding included, until estimates have
    # measured it.
    speed: float = DEFAULT_SPEED
    # The same text always sounds the same (espeak-ng, hibari, Piper): a verified task never
    # renders its chunks again. False for an engine that samples (it may do better next time).
    deterministic: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "voices",
                           tuple(replace(voice, engine=self.name) for voice in self.voices))


def import_engines(path: str) -> list[LocalEngine]:
    """The engines ``module:attribute`` names (a ``VOICER_ENGINES`` entry): a ``LocalEngine``
    or a list of them, importable in every Voicer process (API nodes and workers)."""
    module, _, attribute = path.partition(":")
    try:
        found = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError) as error:
        raise ImportError(f"VOICER_ENGINES: cannot import {path}: {error}") from error
    engines = list(found) if isinstance(found, list | tuple) else [found]
    if not engines or not all(isinstance(engine, LocalEngine) for engine in engines):
        raise TypeError(f"VOICER_ENGINES: {path} is not a LocalEngine or a list of them")
    return engines


class RemoteEngine(Engine, ChunkRenderer, Protocol):
    """An engine run in this process, not in worker processes: it speaks a text as every engine
    does, and also renders task chunks itself and is relayed ElevenLabs requests as they are."""

    name: str

    @property
    def concurrency(self) -> int:
        """Chunks it renders at once."""
        ...


@dataclass(frozen=True, slots=True)
class WorkerEngines:
    """What each worker process loads: every local engine's factory, by name. It pickles."""

    factories: tuple[tuple[str, EngineFactory], ...]

    @classmethod
    def only(cls, make: EngineFactory) -> WorkerEngines:
        """``make``'s engine speaking the bundled voices (espeak-ng's, or a stand-in's)."""
        return cls(((LOCAL_ENGINE, make),))

    def load(self) -> dict[str, Engine]:
        return {name: make() for name, make in self.factories}


class EngineRegistry:
    """Every engine of this process, by name; built once by the ``Runtime``."""

    def __init__(self, local: Sequence[LocalEngine], remote: RemoteEngine | None = None) -> None:
        names = [engine.name for engine in local] + ([remote.name] if remote else [])
        if len(set(names)) != len(names):
            raise ValueError(f"engine names must be unique: {names}")
        self.local = tuple(local)
        self.remote = remote
        self._relayed = frozenset([remote.name] if remote else [])

    @property
    def pooled(self) -> frozenset[str]:
        """The engines spoken in worker processes."""
        return frozenset(engine.name for engine in self.local)

    @property
    def speeds(self) -> dict[str, float]:
        """Each engine spoken in worker processes, with its speed until one is measured."""
        return {engine.name: engine.speed for engine in self.local}

    @property
    def names(self) -> list[str]:
        """Every engine, espeak-ng (the default) first."""
        return [engine.name for engine in self.local] + sorted(self._relayed)

    def relays(self, engine: str) -> bool:
        """Whether ``engine`` (a voice's or a task's) is relayed ElevenLabs requests as they are,
        and renders task chunks itself."""
        return engine in self._relayed

    def varies(self, engine: str) -> bool:
        """Whether ``engine`` may render the same text differently another time (the upstream,
        a local engine registered as not ``deterministic``): worth rendering a bad chunk again."""
        return engine in self._relayed or any(
            local.name == engine and not local.deterministic for local in self.local)

    def voices(self) -> list[Voice]:
        """Every local engine's own voices, in registration order."""
        return [voice for engine in self.local for voice in engine.voices]

    def workers(self) -> WorkerEngines:
        return WorkerEngines(tuple((engine.name, engine.make) for engine in self.local))

    def renderers(self, pool: ChunkRenderer | None) -> dict[str, ChunkRenderer]:
        """Who renders a task's chunks, by its engine: ``pool`` for every local engine (None:
        no local engine here), the remote engine its own."""
        chosen: dict[str, ChunkRenderer] = {}
        if pool is not None:
            chosen.update(dict.fromkeys(self.pooled, pool))
        if self.remote is not None:
            chosen[self.remote.name] = self.remote
        return chosen
