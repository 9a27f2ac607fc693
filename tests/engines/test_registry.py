"""The engine registry: which engine speaks a voice or a task, answered from its name."""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator

import pytest

from voicer.engines.registry import EngineRegistry, LocalEngine, WorkerEngines
from voicer.models import LOCAL_ENGINE
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.pipeline.pool import default_engine
from voicer.pipeline.render import RenderedChunk
from voicer.voices import VoiceCatalogue


class Remote:
    name = "far"
    concurrency = 3

    def render(self, spec: RenderSpec, jobs: Iterable[ChunkJob]) -> Iterator[RenderedChunk]:
        return iter(())


def test_a_local_engine_owns_its_voices() -> None:
    voice = next(iter(VoiceCatalogue.bundled()))
    engine = LocalEngine("other", default_engine, (voice,))
    assert [v.engine for v in engine.voices] == ["other"]
    assert engine.voices[0].params == voice.params


def test_it_answers_from_the_engine_name() -> None:
    remote = Remote()
    registry = EngineRegistry([LocalEngine(LOCAL_ENGINE, default_engine),
                               LocalEngine("other", default_engine)], remote)
    assert registry.pooled == {LOCAL_ENGINE, "other"}
    assert registry.names == [LOCAL_ENGINE, "other", "far"]
    assert registry.relays("far") and not registry.relays(LOCAL_ENGINE)
    assert not registry.relays("unknown")
    pool = Remote()
    assert registry.renderers(pool) == {LOCAL_ENGINE: pool, "other": pool, "far": remote}
    assert registry.renderers(None) == {"far": remote}


def test_names_are_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        EngineRegistry([LocalEngine("same", default_engine), LocalEngine("same", default_engine)])


def test_what_a_worker_loads_pickles() -> None:
    registry = EngineRegistry([LocalEngine(LOCAL_ENGINE, default_engine)])
    workers = pickle.loads(pickle.dumps(registry.workers()))
    assert workers == WorkerEngines.only(default_engine)
