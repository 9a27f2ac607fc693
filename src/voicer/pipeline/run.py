"""Run a plan: render its chunks on a worker pool and stream them into an output; with a
verifier, each chunk is heard back first (``voicer.pipeline.verify``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from voicer.output import ChunkAudio, Output
from voicer.pipeline.plan import Plan
from voicer.pipeline.pool import WorkerPool
from voicer.pipeline.render import RenderedChunk
from voicer.pipeline.verify import ChunkVerifier, Heard


@dataclass(frozen=True, slots=True)
class RunProgress:
    chunks_done: int
    chunks_total: int
    characters_done: int
    characters_total: int
    elapsed: float


@dataclass(frozen=True, slots=True)
class RunResult:
    chunks: int
    characters: int
    duration: float  # seconds of audio written
    elapsed: float  # wall-clock seconds
    synthesis_cpu: float  # seconds, summed over the workers
    encoding_cpu: float
    heard: tuple[Heard, ...] = ()  # each chunk heard back, in order, when verified


def run(
    plan: Plan,
    pool: WorkerPool,
    output: Output,
    on_progress: Callable[[RunProgress], None] | None = None,
    verifier: ChunkVerifier | None = None,
) -> RunResult:
    """Render every chunk of ``plan`` in order into ``output``; the output is kept only on success."""
    started = time.perf_counter()
    characters = duration = synthesis = encoding = 0.0
    rendered_chunks: Iterable[tuple[RenderedChunk, Heard | None]] = (
        ((rendered, None) for rendered in pool.render(plan.spec, plan.jobs)) if verifier is None
        else _in_order((chunk.rendered, chunk.heard)
                       for chunk in verifier.render(pool, plan.spec, plan.jobs)))
    heard: list[Heard] = []
    with output:
        for chunk, (rendered, verified) in zip(plan.chunks, rendered_chunks, strict=True):
            if verified is not None:
                heard.append(verified)
            output.add(ChunkAudio(chunk.index, chunk.text, chunk.start, rendered.segment.data,
                                  rendered.duration, rendered.speech, rendered.pause,
                                  **_verified(verified)))
            characters += len(chunk.text)
            duration += rendered.duration
            synthesis += rendered.synthesis_cpu
            encoding += rendered.encoding_cpu
            if on_progress is not None:
                on_progress(RunProgress(chunk.index + 1, len(plan.chunks), int(characters),
                                     plan.characters, time.perf_counter() - started))
    return RunResult(len(plan.chunks), int(characters), duration, time.perf_counter() - started,
                     synthesis, encoding, tuple(heard))


def _verified(heard: Heard | None) -> dict[str, Any]:
    """What the manifest says of a chunk heard back (nothing when not verified)."""
    if heard is None:
        return {}
    return {"word_error_rate": heard.word_error_rate, "heard": heard.text,
            "attempts": heard.attempts}


def _in_order(chunks: Iterable[tuple[RenderedChunk, Heard | None]]
              ) -> Iterator[tuple[RenderedChunk, Heard | None]]:
    """Chunks by index, from first to last: one rendered again comes back late."""
    waiting: dict[int, tuple[RenderedChunk, Heard | None]] = {}
    following = 0
    for chunk in chunks:
        waiting[chunk[0].index] = chunk
        while following in waiting:
            yield waiting.pop(following)
            following += 1
