"""Partitioned-search benchmark (on demand, not in CI).

Runs the same exhaustive search with the local engine, with in-process
shards (visited sets in memory and in LMDB) and on a local Ray cluster with
1, 2 and 4 actors; prints states/s and, per worker, the bytes its visited set
holds per state. Every run must reach the same state count.
Usage: python benchmarks/distributed.py [--contrefs N] [--host-depth N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from contcheck.checker.explicit import (
    Exploration,
    Shards,
    Spill,
    explore,
    explore_partitioned,
    local_shards,
    ray_shards,
)
from contcheck.model import Bounds, ContinuationModel, Version
from contcheck.properties import by_id


@dataclass
class Row:
    engine: str
    workers: int
    states: int
    seconds: float
    states_per_s: float
    bytes_per_state_per_worker: list[float]


def _measure(engine: str, workers: int, model: ContinuationModel, shards: Shards | None) -> Row:
    props = by_id(None, model.version)
    started = time.monotonic()
    per_state: list[float] = []
    if shards is None:
        run: Exploration = explore(model, props, workers=workers)
    else:
        sizes = _Sizes(shards)
        run = explore_partitioned(model, props, sizes)
        per_state = [u / max(n, 1) for u, n in zip(sizes.used, sizes.stored, strict=True)]
    seconds = time.monotonic() - started
    n = run.stats.states
    return Row(engine, workers, n, round(seconds, 2), round(n / seconds), per_state)


class _Sizes:
    """Passes calls through; before the shards close, records how many
    states each holds and the bytes its visited set takes."""

    def __init__(self, inner: Shards) -> None:
        self.inner, self.count = inner, inner.count
        self.used, self.stored = [0] * inner.count, [0] * inner.count

    def call(self, method: str, args: list[tuple[Any, ...]]) -> list[Any]:
        return self.inner.call(method, args)

    def close(self) -> None:
        self.used = [int(u) for u in self.inner.call("bytes_used", [()] * self.count)]
        self.stored = [int(n) for n in self.inner.call("stored", [()] * self.count)]
        self.inner.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contrefs", type=int, default=2)
    parser.add_argument("--host-depth", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    bounds = Bounds(args.contrefs, 1, 1, args.host_depth, 2)
    model = ContinuationModel(Version.V48, bounds)
    ids = [p.id for p in by_id(None, model.version)]
    rows = [_measure("local", 1, model, None)]
    rows.append(_measure("shards in memory", 1, model, local_shards(model, ids, 1, None)))
    with tempfile.TemporaryDirectory() as spill:
        shards = local_shards(model, ids, 1, Spill(Path(spill), 0))
        rows.append(_measure("shards in LMDB", 1, model, shards))
    for workers in (1, 2, 4):
        rows.append(_measure("ray", workers, model, ray_shards(model, ids, workers, None, None)))
    for row in rows:
        per_worker = ", ".join(f"{b:.0f}" for b in row.bytes_per_state_per_worker) or "-"
        print(
            f"{row.engine:18} {row.workers} workers: {row.states:,} states, "
            f"{row.seconds:.1f} s, {row.states_per_s:,} states/s, bytes/state/worker {per_worker}"
        )
    if len({row.states for row in rows}) != 1:
        raise SystemExit("the engines reached different state counts")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")


if __name__ == "__main__":
    main()
