"""`contcheck prove`: the z3 engines (bounded model checking, induction, PDR)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rich.console import Console

from contcheck.checker.explicit import violation_at_end
from contcheck.checker.symbolic import (
    BUDGET,
    BmcResult,
    InductionRow,
    Lemma,
    PdrRow,
    Replay,
    Semantics,
    all_fields,
    bmc,
    induction,
    load_lemmas,
    pdr,
    replay,
    shipped,
    variables,
    write_z3_trace,
)
from contcheck.model import ContinuationModel
from contcheck.properties import Property, by_id
from contcheck.reports.cti_text import cti_json, render_cti
from contcheck.reports.status import NOT_REPRODUCED, UNKNOWN, VIOLATED, up_to_depth

from .arguments import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_VIOLATED,
    add_bounds,
    add_trace_dir,
    bounds_of,
    fail,
)
from .check import chosen_properties
from .output import check_writable, write_text
from .progress import ProgressLine
from .prove_unbounded import run_unbounded
from .trace_folders import clear_stale, run_folder

if TYPE_CHECKING:
    from .arguments import Subcommands

T = TypeVar("T")


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "prove", help="check the properties with z3 (BMC, induction, PDR, any number of contrefs)"
    )
    add_bounds(p)
    p.add_argument(
        "--engine",
        choices=["bmc", "induction", "pdr", "unbounded"],
        default="induction",
        help="bmc: bounded model checking to --depth; induction (default); pdr: Spacer;"
        " unbounded: v48 for any number of contrefs",
    )
    p.add_argument(
        "--depth", type=int, default=4, metavar="K", help="BMC's longest run (default: 4)"
    )
    p.add_argument(
        "--property", nargs="+", metavar="ID", help="only these (default: every property)"
    )
    p.add_argument(
        "--budget",
        type=int,
        default=BUDGET,
        metavar="N",
        help="pdr: z3 resource units (rlimit) per property; spent, it is unknown"
        " (default: %(default)s)",
    )
    p.add_argument("--lemma", type=Path, metavar="FILE", help="SMT-LIB lemmas to add")
    p.add_argument("--list-variables", action="store_true", help="the names lemmas may use")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the verdicts as JSON")
    add_trace_dir(p, "bmc-<ID>.itf.json")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    bounds = bounds_of(args)
    sem = Semantics(bounds, args.semantics)
    if args.list_variables:
        print("\n".join(str(v) for v in all_fields(variables(bounds, "s"))))
        return EXIT_OK
    props = chosen_properties(args)
    if args.depth < 0:
        fail("--depth must be at least 0")
    if args.budget < 1:
        fail("--budget must be at least 1")
    check_writable(args.json, directories=(args.trace_dir,) if args.engine == "bmc" else ())
    if args.engine == "unbounded":
        return run_unbounded(args, props)
    lemmas = shipped(args.semantics) + _user_lemmas(args, sem)
    if args.engine == "bmc":
        return _bmc(args, sem, props)
    if args.engine == "pdr":
        return _pdr(args, sem, props, lemmas)
    return _induction(args, sem, props, lemmas)


def _user_lemmas(args: argparse.Namespace, sem: Semantics) -> list[Lemma]:
    if args.lemma is None:
        return []
    try:
        return load_lemmas(args.lemma, variables(sem.bounds, "s"))
    except ValueError as err:
        fail(str(err).splitlines()[0])


def _bmc(args: argparse.Namespace, sem: Semantics, props: list[Property]) -> int:
    result = _with_progress(
        lambda show: bmc(sem, props, args.depth, lambda d, r: show(_bmc_line(d, r)))
    )
    model = ContinuationModel(sem.version, sem.bounds)
    rows: list[dict[str, object]] = []
    folder = run_folder(args.trace_dir, sem.version, sem.bounds)
    clear_stale(folder, [p.id for p in props], prefix="bmc-")
    for p in props:
        found = result.findings.get(p.id)
        if found is None:
            unknown = result.unknown.get(p.id)
            if unknown or result.depth < 0:
                status = f"{UNKNOWN}: {unknown or 'interrupted before depth 0'}"
            else:
                status = up_to_depth(result.depth)
            rows.append({"id": p.id, "status": status, "depth": None, "trace": None})
            continue
        rows.append(_bmc_finding(model, p, found.depth, replay(model, found.run), folder))
    for r in rows:
        where = f" at depth {r['depth']}: {r['trace']}" if r["depth"] is not None else ""
        print(f"{r['id']:<5} {r['status']}{where}")
    print(
        f"bounded model checking to depth {result.depth}; seconds per depth: "
        + ", ".join(f"{s:.2f}" for s in result.seconds_per_depth)
    )
    if result.interrupted:
        print(f"interrupted: depths up to {result.depth} fully checked (asked: {args.depth})")
    _write_json(
        args,
        sem,
        {
            "engine": "bmc",
            "depth": result.depth,
            "properties": rows,
            "seconds_per_depth": result.seconds_per_depth,
            "interrupted": result.interrupted,
        },
    )
    if any(r["status"] == VIOLATED for r in rows):
        return EXIT_VIOLATED
    unconfirmed = any(str(r["status"]).startswith(NOT_REPRODUCED) for r in rows)
    return EXIT_INCOMPLETE if unconfirmed or result.unknown or result.interrupted else EXIT_OK


def _bmc_finding(
    model: ContinuationModel, prop: Property, depth: int, rep: Replay, folder: Path
) -> dict[str, object]:
    """z3's run is a counterexample only if the explicit model, replaying its
    actions, meets the same stores and the violation at the end: a run z3
    found and the model does not reproduce is a defect of contcheck (once, a
    cancelled z3 context that left `substitute` undone), never a verdict."""
    row: dict[str, object] = {"id": prop.id, "depth": None, "trace": None}
    message = "" if rep.departure else violation_at_end(model, prop, rep.steps)
    if not message:
        why = rep.departure or f"the explicit model's replay ends without violating {prop.id}"
        return row | {"status": f"{NOT_REPRODUCED} ({why})"}
    path = folder / f"bmc-{prop.id}.itf.json"
    write_z3_trace(model, prop.id, rep, path)
    return row | {"status": VIOLATED, "depth": depth, "trace": str(path), "violation": message}


def _with_progress(work: Callable[[Callable[[str], None]], T]) -> T:
    """Run `work` with a status line on stderr it may update."""
    progress = ProgressLine(Console(stderr=True))
    try:
        return work(progress.show)
    finally:
        progress.close()


def _bmc_line(depth: int, r: BmcResult) -> str:
    return f"BMC depth {depth}: {len(r.findings)} violated, {sum(r.seconds_per_depth):.0f} s"


def _induction(
    args: argparse.Namespace, sem: Semantics, props: list[Property], lemmas: list[Lemma]
) -> int:
    rows = _with_progress(lambda show: induction(sem, props, lemmas, show))
    why = {lem.name: lem.why for lem in lemmas}
    for r in rows:
        print(f"{r.prop:<5} {r.status:<16} {r.seconds:6.2f} s  {r.reason}")
        if r.cti is not None:
            print(render_cti(r.prop, r.cti.pre, r.cti.action, r.cti.post))
    print("lemmas assumed: " + ", ".join(why))
    for line in _assumed_unproved(rows, sem, list(why)):
        print(line)
    _write_json(
        args, sem, {"engine": "induction", "properties": [_row(r) for r in rows], "lemmas": why}
    )
    return _exit([r.status for r in rows])


def _assumed_unproved(rows: list[InductionRow], sem: Semantics, lemmas: list[str]) -> list[str]:
    """What every "proved" leans on without a proof: each consecution assumes
    every lemma and every state property of the version in the pre-store."""
    proved = {r.prop for r in rows if r.status == "proved"}
    assumed = lemmas + [p.id for p in by_id(None, sem.version) if p.kind == "state"]
    open_ = [i for i in assumed if i not in proved]
    lines = []
    if "S0" in open_:
        lines.append(
            "each 'proved' assumes S0 (no undefined behaviour) in the pre-store, which is not"
            " proved: sound, because S0 fails only on a faulted store and a faulted store has"
            " no successors, so the assumption removes no step of a real run"
        )
    others = [i for i in open_ if i != "S0"]
    if others:
        lines.append(
            "each 'proved' also assumes, not proved in this run: "
            + ", ".join(others)
            + " (the proofs hold only where these do)"
        )
    return lines


def _row(r: InductionRow | PdrRow) -> dict[str, object]:
    row = {"id": r.prop, "status": r.status, "seconds": r.seconds, "reason": r.reason}
    cti = getattr(r, "cti", None)
    return row | ({"cti": cti_json(cti.pre, cti.action, cti.post)} if cti is not None else {})


def _pdr(
    args: argparse.Namespace, sem: Semantics, props: list[Property], lemmas: list[Lemma]
) -> int:
    budget = args.budget
    rows = _with_progress(lambda show: pdr(sem, props, lemmas, show, budget))
    for r in rows:
        print(f"{r.prop:<5} {r.status:<16} {r.seconds:6.2f} s  {r.reason}")
        if r.invariant:
            print(f"      inductive invariant: {r.invariant}")
    print(f"Spacer's budget per property: {budget:,} z3 resource units (--budget)")
    docs = [dict(_row(r), invariant=r.invariant) for r in rows]
    _write_json(args, sem, {"engine": "pdr", "budget": budget, "properties": docs})
    return _exit([r.status for r in rows])


def _exit(statuses: list[str]) -> int:
    if any(s in ("not inductive", "fails initially", "violated") for s in statuses):
        return EXIT_VIOLATED
    return EXIT_INCOMPLETE if any(s == "unknown" for s in statuses) else EXIT_OK


def _write_json(args: argparse.Namespace, sem: Semantics, doc: dict[str, object]) -> None:
    if args.json:
        head = {"semantics": f"v{int(sem.version)}", "bounds": sem.bounds.as_dict()}
        write_text(args.json, json.dumps(head | doc, indent=2) + "\n")
    sys.stdout.flush()
