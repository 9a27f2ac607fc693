"""One benchmark on two checkouts side by side: before and after a change, interleaved.

Each round runs the benchmark once on the ``--before`` checkout and once on this one, in
alternating order, so the machine's noise falls on both. Every wall-clock figure the
benchmark writes (a key ending in ``wall_seconds`` or ``wall_s``) is compared by its median
over the rounds. Prints a table and writes JSON to ``benchmarks/results/``.

Run: ``python -m benchmarks.ab --before ../voicer-old --rounds 2 bench_core --scaling-characters 50000``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.report import save

HERE = Path(__file__).resolve().parents[1]
WALL_KEYS = ("wall_seconds", "wall_s")


def run(checkout: Path, benchmark: str, arguments: list[str]) -> dict[str, float]:
    """Run ``benchmark`` on ``checkout``'s code; its wall-clock figures by name."""
    results = checkout / "benchmarks" / "results"
    known = set(results.glob(f"{benchmark.removeprefix('bench_')}-*.json"))
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    subprocess.run([sys.executable, "-m", f"benchmarks.{benchmark}", *arguments], cwd=checkout,
                   env=env, check=True, stdout=subprocess.DEVNULL)
    [written] = set(results.glob(f"{benchmark.removeprefix('bench_')}-*.json")) - known
    figures = walls(json.loads(written.read_text()))
    written.unlink()  # a figure of one side of a comparison, not a result of its own
    return figures


def walls(report: dict[str, Any]) -> dict[str, float]:
    """The wall-clock figures of a benchmark's report, named by their run."""
    found: dict[str, float] = {}
    for number, entry in enumerate(report.get("runs", [])):
        name = str(entry.get("name") or f"{entry.get('characters', number):,} characters")
        for key in WALL_KEYS:
            if isinstance(entry.get(key), int | float):
                found[name] = float(entry[key])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("benchmark", help="bench_core, bench_service, …")
    parser.add_argument("arguments", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    sides: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for round_ in range(args.rounds):
        order = [("before", args.before.resolve()), ("after", HERE)]
        for side, checkout in order if round_ % 2 == 0 else reversed(order):
            sides[side].append(run(checkout, args.benchmark, args.arguments))
    names = [name for name in sides["after"][0] if name in sides["before"][0]]
    medians = {side: {name: statistics.median(r[name] for r in runs) for name in names}
               for side, runs in sides.items()}
    table = Table("run", "before s", "after s", "after / before",
                  title=f"{args.benchmark}: {args.rounds} interleaved rounds, median wall time")
    for name in names:
        before, after = medians["before"][name], medians["after"][name]
        table.add_row(name, f"{before:.2f}", f"{after:.2f}", f"{after / before:.2f}")
    console = Console()
    console.print(table)
    path = save(f"ab-{args.benchmark.removeprefix('bench_')}",
                {"arguments": args.arguments, "rounds": sides, "medians": medians})
    console.print(f"wrote {path}")


if __name__ == "__main__":
    main()
