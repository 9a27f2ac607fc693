"""The synthesis pipeline: plan the chunks, render them in worker processes, assemble."""

from voicer.pipeline.plan import Plan, SynthesisOptions, make_plan
from voicer.pipeline.runner import Progress, Result, run
from voicer.pipeline.workers import WorkerPool

__all__ = ["Plan", "Progress", "Result", "SynthesisOptions", "WorkerPool", "make_plan", "run"]
