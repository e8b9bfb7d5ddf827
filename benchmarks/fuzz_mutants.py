"""Seeded-bug benchmark of differential campaigns (on demand, not in CI).

For every mutant of `tests/mutants.py` (a small patch of the model, applied
for one campaign), per walk mode and per target, how many of N runs disagree
with the target: how much a campaign's agreement figure says.  Usage:
python benchmarks/fuzz_mutants.py [--runs 2000] [--on native wasmtime]
[--walk guided uniform] [--mutant NAME ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from contcheck.checker.replay import Plan, Tally, run_campaign, wasmtime_binary
from contcheck.model import Bounds, ContinuationModel, Version

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from mutants import MUTANTS, mutated  # noqa: E402

# `contcheck fuzz`'s default bounds, seed 1, runs of at most 40 steps.
BOUNDS = Bounds(contrefs=4, tags=2, clauses=2, host_depth=3, handles=3)
RELEASE = "49.0.4"


def caught(name: str, walk: str, target: str, runs: int, seed: int = 1) -> tuple[int, int]:
    """(runs that disagree, runs) for one mutant, walk mode and target."""
    plan = Plan(ContinuationModel(Version.V48, BOUNDS), runs, seed, 40, target, walk=walk)
    if target == "wasmtime":
        plan.binary, plan.release, plan.batch = wasmtime_binary(RELEASE), RELEASE, 250
    tally = Tally()
    with mutated(name):
        run_campaign(plan, tally, lambda t: None)
    return len(tally.disagreements), tally.runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--on", nargs="+", default=["native", "wasmtime"])
    parser.add_argument("--walk", nargs="+", default=["guided", "uniform"])
    parser.add_argument("--mutant", nargs="+", default=list(MUTANTS))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    columns = [(walk, target) for target in args.on for walk in args.walk]
    header = " | ".join(f"{walk} on {target}" for walk, target in columns)
    print(f"| mutant | {header} |")
    print("|---" * (len(columns) + 1) + "|")
    rows: dict[str, dict[str, list[int]]] = {}
    started = time.monotonic()
    seconds: dict[str, float] = {f"{w}/{t}": 0.0 for w, t in columns}
    for name in args.mutant:
        cells = {}
        for w, t in columns:
            cell = time.monotonic()
            cells[f"{w}/{t}"] = list(caught(name, w, t, args.runs))
            seconds[f"{w}/{t}"] += time.monotonic() - cell
        rows[name] = cells
        shown = " | ".join(f"{found:,}/{runs:,}" for found, runs in cells.values())
        print(f"| {MUTANTS[name][0]} | {shown} |", flush=True)
    print(f"{time.monotonic() - started:.0f} s", file=sys.stderr)
    for column, spent in seconds.items():  # the cost per run of each walk mode and target
        runs = args.runs * len(args.mutant)
        print(f"{column}: {spent:.0f} s, {1000 * spent / runs:.0f} ms per run", file=sys.stderr)
    if args.json:
        document = {"runs": args.runs, "mutants": rows, "seconds": seconds}
        args.json.write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
