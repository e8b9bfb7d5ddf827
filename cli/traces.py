"""`contcheck trace show|check FILE` and `contcheck list-properties`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from contcheck.checker.itf import TraceError, read_trace
from contcheck.checker.tracefile import verify_trace
from contcheck.properties import PROPERTIES, UNMODELLED
from contcheck.reports.trace_text import render_trace

from .arguments import EXIT_OK, EXIT_VIOLATED, fail

if TYPE_CHECKING:
    from .arguments import Subcommands


def register(sub: Subcommands) -> None:
    trace = sub.add_parser("trace", help="read or re-check a counterexample trace")
    verbs = trace.add_subparsers(dest="verb", required=True)
    show = verbs.add_parser("show", help="print a trace a person can read")
    show.add_argument("file", type=Path)
    show.set_defaults(run=run_show)
    check = verbs.add_parser("check", help="re-execute a trace on the model")
    check.add_argument("file", type=Path)
    check.set_defaults(run=run_check)
    listing = sub.add_parser("list-properties", help="every property: ID, statement, source")
    listing.set_defaults(run=run_list)


def run_show(args: argparse.Namespace) -> int:
    try:
        print(render_trace(read_trace(args.file)))
    except (TraceError, KeyError, TypeError) as err:
        fail(f"{args.file}: {err}")
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    try:
        verdict = verify_trace(read_trace(args.file))
    except TraceError as err:
        fail(f"{args.file}: {err}")
    (sys.stdout if verdict.ok else sys.stderr).write(f"{args.file}: {verdict.message}\n")
    return EXIT_OK if verdict.ok else EXIT_VIOLATED


def run_list(args: argparse.Namespace) -> int:
    for p in PROPERTIES:
        scope = (
            "" if len(p.versions) == 2 else f" [{'/'.join(f'v{int(v)}' for v in p.versions)} only]"
        )
        print(f"{p.id:4} {p.kind:10} {p.statement}{scope}\n     source: {p.source}")
    print("\nNot modelled:")
    for u in UNMODELLED:
        print(f"{u.id:4} {u.statement}\n     why: {u.reason}")
    return EXIT_OK
