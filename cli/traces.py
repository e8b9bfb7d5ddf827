"""`contcheck trace show|check|to-wast FILE` and `contcheck list-properties`."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from contcheck.checker.explicit import verify_trace
from contcheck.checker.itf import TraceError, read_trace
from contcheck.checker.replay import (
    NotExpressible,
    WasmtimeUnavailable,
    make_program,
    program_wast,
    release_for,
    wast_command,
)
from contcheck.checker.replay import binary_for as pinned_binary
from contcheck.model import ContinuationModel
from contcheck.properties import PROPERTIES, UNMODELLED
from contcheck.reports.trace_text import render_trace

from .arguments import EXIT_OK, EXIT_VIOLATED, fail, semantics
from .output import check_writable, write_text
from .replay import predicted_actions

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
    to_wast = verbs.add_parser(
        "to-wast",
        help="write a trace as a .wast program for wasmtime wast",
        description=(
            "The program performs the trace's actions, logs what wasm can observe and asserts"
            " the model's prediction. Host re-entry and gc cannot be written as .wast."
        ),
    )
    to_wast.add_argument("file", type=Path)
    to_wast.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.wast")
    to_wast.add_argument(
        "--semantics",
        type=semantics,
        help="predict with this semantics (default: the trace's; v48 gives the correct"
        " behaviour a v44 counterexample should show)",
    )
    to_wast.set_defaults(run=run_to_wast)
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


def run_to_wast(args: argparse.Namespace) -> int:
    try:
        trace = read_trace(args.file)
        model = ContinuationModel(args.semantics or trace.version, trace.bounds)
        actions = predicted_actions(trace, model)
    except TraceError as err:
        fail(f"{args.file}: {err}")
    # the program targets the release pinned for the trace's semantics (or the
    # one CONTCHECK_WASMTIME's binary names), and its traps are in its words
    binary: Path | None = None
    missing = ""
    try:
        binary, release = pinned_binary(trace.version)
    except WasmtimeUnavailable as err:  # the program is still written; only the command is missing
        release, missing = release_for(trace.version), str(err)
    try:
        program = make_program(model, actions, 0, release)
    except NotExpressible as err:
        fail(f"{args.file}: {err}")
    check_writable(args.output)
    write_text(args.output, program_wast(program) + "\n")
    print(f"{args.output}: {len(program.actions)} of the trace's {len(trace.actions)} steps")
    if binary is None:
        print(f"no wasmtime {release} to run it here: {missing}")
        return EXIT_OK
    command = shlex.join(wast_command(binary, release, args.output))
    print(f"run it on wasmtime {release} with: {command}")
    return EXIT_OK


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
