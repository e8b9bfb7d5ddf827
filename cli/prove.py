"""`contcheck prove`: the z3 engines (bounded model checking, induction, PDR)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rich.console import Console

from contcheck.checker.symbolic import (
    BmcResult,
    InductionRow,
    Lemma,
    PdrRow,
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
from contcheck.properties import Property
from contcheck.reports.cti_text import cti_json, render_cti

from .arguments import EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATED, add_bounds, bounds_of, fail
from .check import chosen_properties
from .output import write_text
from .progress import ProgressLine
from .prove_unbounded import run_unbounded

if TYPE_CHECKING:
    from .arguments import Subcommands

T = TypeVar("T")


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "prove", help="check the properties with z3 (BMC, induction, PDR, any number of contrefs)"
    )
    add_bounds(p)
    p.add_argument(
        "--engine", choices=["bmc", "induction", "pdr", "unbounded"], default="induction"
    )
    p.add_argument("--depth", type=int, default=4, help="BMC depth (default 4)")
    p.add_argument("--property", nargs="+", metavar="ID", help="only these properties")
    p.add_argument("--lemma", type=Path, metavar="FILE", help="SMT-LIB lemmas to add")
    p.add_argument("--list-variables", action="store_true", help="the names lemmas may use")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the verdicts as JSON")
    p.add_argument("--trace-dir", type=Path, default=Path("traces"), help="BMC counterexamples")
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
    except OSError as err:
        fail(f"{args.lemma}: {err.strerror or err}")
    except ValueError as err:
        fail(str(err).splitlines()[0])


def _bmc(args: argparse.Namespace, sem: Semantics, props: list[Property]) -> int:
    result = _with_progress(
        lambda show: bmc(sem, props, args.depth, lambda d, r: show(_bmc_line(d, r)))
    )
    model = ContinuationModel(sem.version, sem.bounds)
    rows: list[dict[str, object]] = []
    for p in props:
        found = result.findings.get(p.id)
        if found is None:
            status = "unknown: " + result.unknown[p.id] if p.id in result.unknown else "holds"
            if result.interrupted and p.id not in result.unknown:
                status = f"holds to depth {result.depth} (interrupted)"
            rows.append({"id": p.id, "status": status, "depth": None, "trace": None})
            continue
        path = args.trace_dir / f"z3-v{int(sem.version)}-{p.id}.itf.json"
        message = write_z3_trace(model, p.id, replay(model, found.run), path)
        rows.append(
            {
                "id": p.id,
                "status": "violated",
                "depth": found.depth,
                "trace": str(path),
                "violation": message,
            }
        )
    for r in rows:
        where = f" at depth {r['depth']}: {r['trace']}" if r["depth"] is not None else ""
        print(f"{r['id']:<5} {r['status']}{where}")
    print(
        f"bounded model checking to depth {result.depth}; seconds per depth: "
        + ", ".join(f"{s:.2f}" for s in result.seconds_per_depth)
    )
    if result.interrupted:
        print(f"interrupted: depths up to {result.depth} fully checked")
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
    if result.findings:
        return EXIT_VIOLATED
    return EXIT_INCOMPLETE if result.unknown or result.interrupted else EXIT_OK


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
    print("lemmas assumed (each proved above or not): " + ", ".join(why))
    _write_json(
        args, sem, {"engine": "induction", "properties": [_row(r) for r in rows], "lemmas": why}
    )
    return _exit([r.status for r in rows])


def _row(r: InductionRow | PdrRow) -> dict[str, object]:
    row = {"id": r.prop, "status": r.status, "seconds": r.seconds, "reason": r.reason}
    cti = getattr(r, "cti", None)
    return row | ({"cti": cti_json(cti.pre, cti.action, cti.post)} if cti is not None else {})


def _pdr(
    args: argparse.Namespace, sem: Semantics, props: list[Property], lemmas: list[Lemma]
) -> int:
    rows = _with_progress(lambda show: pdr(sem, props, lemmas, show))
    for r in rows:
        print(f"{r.prop:<5} {r.status:<16} {r.seconds:6.2f} s  {r.reason}")
        if r.invariant:
            print(f"      inductive invariant: {r.invariant}")
    docs = [dict(_row(r), invariant=r.invariant) for r in rows]
    _write_json(args, sem, {"engine": "pdr", "properties": docs})
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
