"""Run a plan: render its chunks on a worker pool and stream them into an output."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from voicer.output import ChunkAudio, Output
from voicer.pipeline.plan import Plan
from voicer.pipeline.pool import WorkerPool


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


def run(
    plan: Plan,
    pool: WorkerPool,
    output: Output,
    on_progress: Callable[[RunProgress], None] | None = None,
) -> RunResult:
    """Render every chunk of ``plan`` in order into ``output``; the output is kept only on success."""
    started = time.perf_counter()
    characters = duration = synthesis = encoding = 0.0
    with output:
        for chunk, rendered in zip(plan.chunks, pool.render(plan.spec, plan.jobs), strict=True):
            output.add(ChunkAudio(chunk.index, chunk.text, chunk.start, rendered.segment.data,
                                  rendered.duration, rendered.speech, rendered.pause))
            characters += len(chunk.text)
            duration += rendered.duration
            synthesis += rendered.synthesis_cpu
            encoding += rendered.encoding_cpu
            if on_progress is not None:
                on_progress(RunProgress(chunk.index + 1, len(plan.chunks), int(characters),
                                     plan.characters, time.perf_counter() - started))
    return RunResult(len(plan.chunks), int(characters), duration, time.perf_counter() - started,
                  synthesis, encoding)
