"""ONNX Runtime sessions as Voicer's worker processes need them."""

from __future__ import annotations

from pathlib import Path

import onnxruntime


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
