"""ONNX Runtime sessions as Voicer's worker processes need them, and the phoneme durations a
text-to-speech graph predicts inside itself."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime

from voicer import heap

# Between a duration predictor's rounding and the running sum that lays out its frames.
_PASSING = frozenset({"Cast", "Clip", "Max", "Relu"})
_ROUNDING = frozenset({"Ceil", "Round"})


def cpu_session(model: Path) -> onnxruntime.InferenceSession:
    """One thread, no spinning: every worker process has its own session, and two spinning
    thread pools per core would fight over it. No memory arena: a chunk is spoken in a
    short-lived fork, and an arena only keeps its peak (about 40 MB more per fork)."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    options.enable_cpu_mem_arena = False
    return onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


class TimedGraph:
    """A speech graph whose per-phoneme durations, where it predicts them, come out beside its
    own outputs: the whole frames each input id lasts (VITS/Piper's ``w_ceil``, hibari's rounded
    durations), found as the rounded tensor its frame layout sums up. A graph without one runs as
    it is, and ``timed`` is None."""

    def __init__(self, model: Path) -> None:
        proto = onnx.load(str(model))
        self.outputs = [output.name for output in proto.graph.output]
        self.timed = duration_tensor(proto)
        if self.timed is None:
            del proto
            self.session = cpu_session(model)
            return
        # Loaded from a file, as the plain graph is: from bytes, ONNX Runtime keeps 60 MB
        # more of Piper's joe (and the parsed model's pages go back once it is freed).
        proto.graph.output.append(onnx.ValueInfoProto(name=self.timed))
        with tempfile.TemporaryDirectory(prefix="voicer-graph-") as folder:
            timed = Path(folder) / model.name
            onnx.save(proto, str(timed))
            del proto
            self.session = cpu_session(timed)
        heap.trim()

    def run(self, feeds: Mapping[str, Any]) -> tuple[list[Any], np.ndarray[Any, Any] | None]:
        """The graph's own outputs, and each input id's frames (or None)."""
        names = [*self.outputs, self.timed] if self.timed else self.outputs
        results = self.session.run(names, dict(feeds))
        if self.timed is None:
            return list(results), None
        return list(results[:-1]), np.asarray(results[-1]).reshape(-1)


def duration_tensor(model: onnx.ModelProto) -> str | None:
    """The tensor of whole frames per input id: a running sum's input that comes from a
    ``Ceil`` or ``Round`` (through casts and clips)."""
    producers = {name: node for node in model.graph.node for name in node.output}
    for node in model.graph.node:
        if node.op_type != "CumSum":
            continue
        source = producers.get(node.input[0])
        while source is not None and source.op_type in _PASSING:
            source = producers.get(source.input[0])
        if source is not None and source.op_type in _ROUNDING:
            return str(node.input[0])
    return None
