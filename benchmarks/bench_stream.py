"""Benchmark the latency a caller sees from the running service.

- time to first byte of ``POST /v1/text-to-speech/{voice_id}/stream`` for a
  2,000-character text, and the time to the last byte, with the default voice (hibari) and
  with an espeak-ng voice;
- submit latency of a 1,000,000-character task on ``POST /api/v1/voice/synthesize``.

Prints a table and writes JSON to ``benchmarks/results/``.
Run: ``python -m benchmarks.bench_stream``.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from benchmarks.report import save
from benchmarks.server import running_server
from benchmarks.texts import prose

VOICES = {"default voice (hibari)": "AB9XsbSA4eLG12t2myjN", "en-us-espeak (espeak-ng)": "en-us-espeak"}
ROUNDS = 15


def stream_once(client: httpx.Client, text: str, voice: str) -> tuple[float, float, int]:
    started = time.perf_counter()
    first = 0.0
    size = 0
    with client.stream("POST", f"/v1/text-to-speech/{voice}/stream", json={"text": text}) as answer:
        answer.raise_for_status()
        for piece in answer.iter_raw():
            if not first:
                first = time.perf_counter() - started
            size += len(piece)
    return first, time.perf_counter() - started, size


def submit_once(client: httpx.Client, text: str) -> float:
    started = time.perf_counter()
    answer = client.post("/api/v1/voice/synthesize", json={"text": text})
    answer.raise_for_status()
    elapsed = time.perf_counter() - started
    client.delete(f"/api/v1/voice/tasks/{answer.json()['task_id']}")
    return elapsed


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50_ms": statistics.median(ordered) * 1000, "min_ms": ordered[0] * 1000,
            "max_ms": ordered[-1] * 1000}


def main() -> None:
    text = prose(2_000)
    book = prose(1_000_000)
    with running_server() as server:
        headers = {"xi-api-key": server.token, "Authorization": f"Bearer {server.token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
            streams = {}
            for name, voice in VOICES.items():
                stream_once(client, text, voice)  # warm-up: the worker loads the voice's model
                streams[name] = [stream_once(client, text, voice) for _ in range(ROUNDS)]
            submits = [submit_once(client, book) for _ in range(5)]
    report: dict[str, Any] = {
        "stream_2000_characters": {
            name: {"time_to_first_byte": summary([s[0] for s in runs]),
                   "time_to_last_byte": summary([s[1] for s in runs]), "bytes": runs[0][2]}
            for name, runs in streams.items()},
        "submit_1000000_characters": summary(submits),
    }
    rows = [(f"stream 2,000 chars, {name}: {edge} byte", figures[f"time_to_{edge}_byte"])
            for name, figures in report["stream_2000_characters"].items()
            for edge in ("first", "last")]
    table = Table("measure", "p50 ms", "min ms", "max ms", title="Voicer latency (localhost)")
    for name, values in [*rows, ("submit 1,000,000 chars", report["submit_1000000_characters"])]:
        table.add_row(name, f"{values['p50_ms']:.1f}", f"{values['min_ms']:.1f}",
                      f"{values['max_ms']:.1f}")
    Console().print(table)
    Console().print(f"wrote {save('stream', report)}")


if __name__ == "__main__":
    main()
