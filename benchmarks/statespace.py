"""State-space benchmark (on demand, not in CI).

For three bound sizes it explores the v48 model exhaustively and reports
distinct states, transitions, states/s with one and two processes, bytes per
stored state, and the symmetry reduction factor (states without / with
contref symmetry).  Usage: python benchmarks/statespace.py [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass

from contcheck.checker.explicit import Exploration, explore
from contcheck.model import Bounds, ContinuationModel, Version
from contcheck.properties import by_id

SIZES = {
    "small": Bounds(contrefs=2, tags=1, clauses=1, host_depth=1, handles=2),
    "medium": Bounds(contrefs=2, tags=1, clauses=1, host_depth=2, handles=2),
    "large": Bounds(contrefs=3, tags=1, clauses=1, host_depth=2, handles=2),
}


@dataclass
class Row:
    size: str
    bounds: dict[str, int]
    states: int
    transitions: int
    seconds_1: float
    states_per_s_1: float
    seconds_2: float
    states_per_s_2: float
    key_bytes_per_state: float
    store_bytes_per_state: float
    states_without_symmetry: int
    symmetry_reduction: float


def store_bytes(run: Exploration) -> float:
    """Bytes the store holds per state: keys, the index dict, the arrays."""
    store = run.store
    total = sys.getsizeof(store.index) + sys.getsizeof(store.keys)
    total += sum(sys.getsizeof(k) for k in store.keys)
    total += sum(a.itemsize * len(a) for a in (store.parent, store.via, store.depth))
    return total / len(store.keys)


def measure(name: str, bounds: Bounds, version: Version) -> Row:
    props = by_id(None, version)
    serial = explore(ContinuationModel(version, bounds), props, workers=1)
    parallel = explore(ContinuationModel(version, bounds), props, workers=2)
    plain = explore(ContinuationModel(version, bounds, symmetry=False), props, workers=2)
    n = serial.stats.states
    return Row(
        name,
        bounds.as_dict(),
        n,
        serial.stats.transitions,
        round(serial.stats.seconds, 2),
        round(serial.stats.rate),
        round(parallel.stats.seconds, 2),
        round(parallel.stats.rate),
        round(sum(len(k) for k in serial.store.keys) / n, 1),
        round(store_bytes(serial), 1),
        plain.stats.states,
        round(plain.stats.states / n, 2),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--json", help="also write the rows as JSON")
    parser.add_argument("--semantics", choices=["v44", "v48"], default="v48")
    args = parser.parse_args()
    version = Version.V44 if args.semantics == "v44" else Version.V48
    rows = []
    for name, bounds in SIZES.items():
        row = measure(name, bounds, version)
        rows.append(row)
        print(
            f"{name:6} states {row.states:>8,} transitions {row.transitions:>9,}  "
            f"1 proc {row.states_per_s_1:>6,.0f}/s  2 procs {row.states_per_s_2:>6,.0f}/s  "
            f"key {row.key_bytes_per_state:.0f} B  store {row.store_bytes_per_state:.0f} B/state  "
            f"symmetry x{row.symmetry_reduction}",
            flush=True,
        )
    if args.json:
        with open(args.json, "w") as out:
            json.dump([asdict(r) for r in rows], out, indent=2)


if __name__ == "__main__":
    main()
