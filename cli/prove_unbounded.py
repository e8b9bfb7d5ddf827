"""`contcheck prove --engine unbounded`: the v48 invariants it states, for
any number of contrefs (`checker/unbounded/`)."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console

from contcheck.checker.explicit import explore
from contcheck.checker.unbounded import (
    LEMMAS,
    Agreement,
    UnboundedRow,
    agree,
    claims,
    prove_unbounded,
)
from contcheck.checker.z3_interrupts import stoppable
from contcheck.model import Bounds, ContinuationModel, Version
from contcheck.properties import Property

from .arguments import EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATED, fail
from .output import write_text
from .progress import ProgressLine

# The explicit states the encoding is checked against: one activation, as
# the encoding has; the first states of a breadth-first search.
SAMPLE = Bounds(contrefs=3, tags=1, clauses=1, host_depth=1, handles=2)
SAMPLE_STATES = 300
PER_BOUND_STATES = 2000


def _sample() -> str:
    return ", ".join(f"{k} {v}" for k, v in SAMPLE.as_dict().items())


def run_unbounded(args: argparse.Namespace, props: list[Property]) -> int:
    if args.semantics != Version.V48:
        fail("--engine unbounded encodes v48 only (v44's defects break these invariants)")
    chosen = claims([p.id for p in props])
    stated = {c.id for c in chosen}
    progress = ProgressLine(Console(stderr=True))
    try:
        rows = prove_unbounded(chosen, log=progress.show)
        agreement: Agreement | None = None  # stays None when interrupted
        if not any(r.reason == "interrupted" for r in rows):
            progress.show("against the explicit model's reachable states")
            with stoppable():
                agreement = agree(ContinuationModel(Version.V48, SAMPLE), chosen, SAMPLE_STATES)
    finally:
        progress.close()
    for r in rows:
        where = f"  (step {r.step})" if r.step and r.status != "proved" else ""
        print(f"{r.prop:<5} {r.status:<16} {r.seconds:6.2f} s{where}  {r.reason}")
        for line in r.cti:
            print("      " + line)
    per_bound = [p.id for p in props if p.id not in stated]
    enabled = agreement.enabled if agreement else {}
    never = [name for name, count in enabled.items() if count == 0]
    broken = sorted({claim for claim, _ in agreement.violations} if agreement else ())
    if agreement is None:
        print("interrupted before the check against the explicit model's states")
    else:
        print(
            f"checked on {agreement.states} reachable states of the explicit v48 model "
            f"({_sample()}): " + (f"violated there: {', '.join(broken)}" if broken else "all hold")
        )
    print("for any number of contrefs (one activation); lemmas: " + ", ".join(c.id for c in LEMMAS))
    violated = violated_per_bound([p for p in props if p.id in per_bound])
    open_ = [i for i in per_bound if i not in violated]
    if open_:
        print(
            "not stated over any size (prove them per bound: --engine induction): "
            + ", ".join(open_)
        )
    if violated:
        found = ", ".join(f"{i} ({n} steps)" for i, n in violated.items())
        print(
            f"violated by the explicit v48 model ({_sample()}): {found};"
            " they do not hold for any number of contrefs"
        )
    if never:
        print(
            "steps enabled in none of those states (proofs over them may be vacuous): "
            + ", ".join(never)
        )
    if args.json:
        doc = {
            "semantics": "v48",
            "engine": "unbounded",
            "properties": [_row(r) for r in rows],
            "not_stated_over_any_size": open_,
            "violated_by_explicit_model": violated,
            "explicit_states_checked": agreement.states if agreement else 0,
            "violated_on_explicit_states": broken,
            "explicit_states_enabling_each_step": enabled,
        }
        write_text(args.json, json.dumps(doc, indent=2) + "\n")
    sys.stdout.flush()
    statuses = [r.status for r in rows]
    failed = ("not inductive", "fails initially")
    if broken or violated or any(s in failed for s in statuses):  # violated: S0, S5 (#14239)
        return EXIT_VIOLATED
    return EXIT_INCOMPLETE if "unknown" in statuses or never or agreement is None else EXIT_OK


def violated_per_bound(props: list[Property]) -> dict[str, int]:
    """The properties not stated over any size that the explicit model
    violates within its first PER_BOUND_STATES states at SAMPLE (v48's GC
    panic, S0 and S5, in 4 steps), with their shortest lengths."""
    if not props:
        return {}
    with stoppable():
        run = explore(ContinuationModel(Version.V48, SAMPLE), props, PER_BOUND_STATES)
    return {pid: f.length for pid, f in sorted(run.found.items())}


def _row(r: UnboundedRow) -> dict[str, object]:
    keys = ("status", "seconds", "step", "reason")
    return {"id": r.prop, **{k: getattr(r, k) for k in keys}, "counterexample": r.cti}
