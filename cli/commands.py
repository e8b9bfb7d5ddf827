"""The `contcheck` command: its subcommands, and the run of one under Ctrl-C."""

from __future__ import annotations

import contextlib
import sys
from importlib.metadata import PackageNotFoundError, version

from contcheck.checker.z3_interrupts import stoppable

from . import check, crosscheck, fuzz, graph, prove, replay, report, traces
from .arguments import EXIT_INCOMPLETE, Parser

DESCRIPTION = "contcheck: a model checker for Wasmtime's continuation runtime."


def run_command(argv: list[str] | None = None) -> int:
    parser = Parser(prog="contcheck", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"contcheck {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    check.register(sub)
    traces.register(sub)
    graph.register(sub)
    report.register(sub)
    replay.register(sub)
    fuzz.register(sub)
    prove.register(sub)
    crosscheck.register(sub)
    args = parser.parse_args(argv)
    _line_buffered()
    code: int = EXIT_INCOMPLETE
    try:
        with stoppable() as stop:
            code = args.run(args)
    except BrokenPipeError:
        return 0
    except MemoryError:
        sys.stderr.write("contcheck: out of memory\n")
        return EXIT_INCOMPLETE
    if stop.interrupted:
        sys.stderr.write("contcheck: interrupted\n")
    return code


def _version() -> str:
    try:
        return version("contcheck")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "(not installed)"


def _line_buffered() -> None:
    """Results reach a log as each line is printed, not when a block fills."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None and not sys.stdout.isatty():
        with contextlib.suppress(ValueError, OSError):  # a stream that cannot change
            reconfigure(line_buffering=True)
