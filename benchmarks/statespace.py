"""State-space benchmark of the explicit search (on demand, not in CI).

For each bound size and semantics it explores exhaustively with one and with
two worker processes and reports distinct states, transitions, seconds,
states/s, CPU seconds (this process and its workers), the store's bytes per
state and peak memory; then the µs per state of each phase of an expansion,
timed one phase at a time (CPU time) on a sample of states.  On a shared
machine wall-clock seconds follow the load: compare runs taken side by side,
and CPU seconds rather than wall seconds.  `--max-states N` stops each run
after N states (for sizes that do not finish).  Usage:
  python benchmarks/statespace.py [--sizes defaults contrefs4] [--semantics v48]
                                  [--workers 1 2] [--max-states N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TypeVar

from contcheck.checker.explicit import explore, peak_memory_kb
from contcheck.model import Bounds, ContinuationModel, State, Version
from contcheck.model.canonical import decode
from contcheck.properties import by_id, state_violations
from contcheck.properties.evaluate import judge_transition, transition_checks
from contcheck.pure import compiled

SIZES = {
    "small": Bounds(contrefs=2, host_depth=2, handles=2),
    "defaults": Bounds(),
    "contrefs4": Bounds(contrefs=4),
    "tags2": Bounds(tags=2),
    "clauses2": Bounds(clauses=2),
    "host_depth3": Bounds(host_depth=3),
    "handles3": Bounds(handles=3),
}
SAMPLE = 2000  # states whose expansion is timed phase by phase


@dataclass
class Row:
    size: str
    semantics: str
    workers: int
    compiled: bool
    states: int
    transitions: int
    seconds: float
    states_per_s: float
    cpu_seconds: float  # this process and its workers
    cpu_us_per_state: float
    exhaustive: bool
    store_bytes_per_state: float
    peak_memory_mib: float
    verdicts: dict[str, int] = field(default_factory=dict)  # violated property -> length


def cpu_seconds() -> float:
    """CPU time of this process and of its finished workers."""
    own, workers = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def measure(size: str, version: Version, workers: int, max_states: int | None) -> Row:
    model = ContinuationModel(version, SIZES[size])
    started, cpu = time.perf_counter(), cpu_seconds()
    run = explore(model, by_id(None, version), max_states, workers=workers, exact=False)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    n = run.stats.states
    return Row(
        size,
        f"v{int(version)}",
        workers,
        compiled(),
        n,
        run.stats.transitions,
        round(seconds, 2),
        round(n / seconds),
        round(cpu, 2),
        round(cpu / n * 1e6, 1),
        run.exhaustive,
        round(run.store.bytes_used() / n, 1),
        round(peak_memory_kb() / 1024),  # the largest process's
        {p: f.length for p, f in sorted(run.found.items())},
    )


T = TypeVar("T")


def phases(size: str, version: Version) -> dict[str, float]:
    """µs per state of each phase of `expand`, on the first SAMPLE states."""
    model = ContinuationModel(version, SIZES[size])
    props = by_id(None, version)
    checks = transition_checks(props)
    keys = explore(model, props, max_states=SAMPLE, exact=True).store.keys
    out: dict[str, float] = {}

    def timed(name: str, work: Callable[[], T]) -> T:
        started = time.process_time()
        result = work()
        out[name] = round((time.process_time() - started) / len(keys) * 1e6, 1)
        return result

    states: list[State] = timed("decode", lambda: [decode(k) for k in keys])
    actions = timed("enabled", lambda: [model.actions(s) for s in states])
    pairs = [(s, a) for s, acts in zip(states, actions, strict=True) for a in acts]
    steps = timed("step", lambda: [model.next_state(s, a) for s, a in pairs])
    timed("key", lambda: [model.key(x.state) for x in steps])
    timed(
        "transition_properties",
        lambda: [
            judge_transition(checks, s, a, x.state, x.event)
            for (s, a), x in zip(pairs, steps, strict=True)
        ],
    )
    timed("state_properties", lambda: [state_violations(props, s, version) for s in states])
    out["transitions_per_state"] = round(len(pairs) / len(keys), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=["small", "defaults"])
    parser.add_argument("--semantics", nargs="+", choices=["v44", "v48"], default=["v48", "v44"])
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--max-states", type=int, help="stop each run after N states")
    parser.add_argument("--json", help="also write the rows as JSON")
    args = parser.parse_args()
    rows: list[dict[str, object]] = []
    for size in args.sizes:
        for semantics in args.semantics:
            version = Version.V44 if semantics == "v44" else Version.V48
            split = phases(size, version)
            print(f"{size} {semantics} µs/state by phase: {split}", flush=True)
            for workers in args.workers:
                row = measure(size, version, workers, args.max_states)
                rows.append({**asdict(row), "phases_us_per_state": split})
                print(
                    f"{size:11} {semantics} {workers} proc  states {row.states:>9,}  "
                    f"transitions {row.transitions:>10,}  {row.seconds:>7.1f} s  "
                    f"{row.states_per_s:>7,.0f}/s  CPU {row.cpu_seconds:.1f} s "
                    f"({row.cpu_us_per_state:.0f} µs/state)  "
                    f"store {row.store_bytes_per_state:.0f} B/state  "
                    f"peak {row.peak_memory_mib:.0f} MiB  compiled={row.compiled}"
                    + ("" if row.exhaustive else "  (stopped at --max-states)"),
                    flush=True,
                )
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=2)


if __name__ == "__main__":
    main()
