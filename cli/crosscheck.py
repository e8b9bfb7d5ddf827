"""`contcheck crosscheck`: the explicit and the z3 engine, checked against each other."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from contcheck.checker.crosscheck import Crosscheck, crosscheck
from contcheck.model import ContinuationModel

from .arguments import EXIT_OK, EXIT_VIOLATED, add_bounds, bounds_of, fail
from .check import chosen_properties
from .output import write_text
from .progress import ProgressLine

if TYPE_CHECKING:
    from .arguments import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser("crosscheck", help="explicit and z3 engines must agree (small bounds)")
    add_bounds(p)
    p.add_argument("--depth", type=int, default=4, help="compare runs up to this many steps")
    p.add_argument("--property", nargs="+", metavar="ID", help="only these properties")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the agreement as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    bounds = bounds_of(args)
    props = chosen_properties(args)
    if args.depth < 0:
        fail("--depth must be at least 0")
    model = ContinuationModel(args.semantics, bounds)
    progress = ProgressLine(Console(stderr=True))
    try:
        result = crosscheck(model, props, args.depth, progress.show)
    finally:
        progress.close()
    console = Console()
    console.print(_tables(result)[0])
    console.print(_tables(result)[1])
    for what, problem in result.trace_checks:
        console.print(f"{what}: {'agree' if not problem else 'DIFFER: ' + problem}")
    if result.first_difference:
        console.print(f"the engines part: {result.first_difference}")
    else:
        console.print("the engines agree")
    if args.json:
        write_text(args.json, json.dumps(_document(result), indent=2) + "\n")
    return EXIT_VIOLATED if result.first_difference else EXIT_OK


def _tables(r: Crosscheck) -> tuple[Table, Table]:
    states = Table("depth", "explicit states", "z3 states", "agree", title="states within d steps")
    for d, (x, y) in enumerate(zip(r.explicit.counts, r.symbolic.counts, strict=True)):
        states.add_row(str(d), f"{x:,}", f"{y:,}", "yes" if x == y else "NO")
    props = Table(
        "property", "explicit", "z3", "agree", title=f"shortest violation within {r.depth}"
    )
    for row in r.properties:
        props.add_row(
            row.prop, _length(row.explicit), _length(row.symbolic), "yes" if row.agree else "NO"
        )
    return states, props


def _length(n: int | None) -> str:
    return "holds" if n is None else f"{n} steps"


def _document(r: Crosscheck) -> dict[str, object]:
    return {
        "depth": r.depth,
        "agree": r.agree,
        "first_difference": r.first_difference,
        "states_within": {"explicit": r.explicit.counts, "z3": r.symbolic.counts},
        "properties": [
            {"id": p.prop, "explicit": p.explicit, "z3": p.symbolic} for p in r.properties
        ],
        "trace_checks": [{"check": w, "problem": p} for w, p in r.trace_checks],
    }
