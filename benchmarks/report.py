"""Where benchmark results go: one JSON file per run, named by benchmark and time."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

RESULTS = Path(__file__).parent / "results"


def save(benchmark: str, figures: dict[str, Any]) -> Path:
    """Write ``figures`` with the date and the machine; return the file's path."""
    now = datetime.now(UTC)
    report = {"benchmark": benchmark, "date": now.isoformat(timespec="seconds"),
              "machine": {"cores": os.cpu_count(),
                          "memory_gb": round(psutil.virtual_memory().total / 2**30)},
              **figures}
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{benchmark}-{now:%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2))
    return path
