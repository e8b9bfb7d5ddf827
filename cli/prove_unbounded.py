"""`contcheck prove --engine unbounded`: the v48 invariants it states, for
any number of contrefs (`checker/unbounded/`)."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console

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
    if per_bound:
        print("not stated over any size, proved per bound only: " + ", ".join(per_bound))
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
            "per_bound_only": per_bound,
            "explicit_states_checked": agreement.states if agreement else 0,
            "violated_on_explicit_states": broken,
            "explicit_states_enabling_each_step": enabled,
        }
        write_text(args.json, json.dumps(doc, indent=2) + "\n")
    sys.stdout.flush()
    statuses = [r.status for r in rows]
    if broken or any(s in ("not inductive", "fails initially") for s in statuses):
        return EXIT_VIOLATED
    return EXIT_INCOMPLETE if "unknown" in statuses or never or agreement is None else EXIT_OK


def _row(r: UnboundedRow) -> dict[str, object]:
    keys = ("status", "seconds", "step", "reason")
    return {"id": r.prop, **{k: getattr(r, k) for k in keys}, "counterexample": r.cti}
