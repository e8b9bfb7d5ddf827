"""The command line: parsers whose errors are one line and exit code 2."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from contcheck.model import Bounds, BoundsError, Version
from contcheck.model.bounds import LIMITS

EXIT_OK, EXIT_VIOLATED, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
EXIT_CODES = (
    "exit codes: 0 holds (or proved, or agree), 1 violated (or a disagreement),"
    " 2 bad usage or input, 3 stopped early or unknown"
)
MAX_WORKERS = 4 * (os.cpu_count() or 1)  # more processes than this only compete for cores
LONG_WORD = re.compile(r"\S{241,}")  # longer than any path a person types


class Parser(argparse.ArgumentParser):
    """Every command and subcommand lists the exit codes under its options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("epilog", EXIT_CODES)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        fail(message)


if TYPE_CHECKING:
    Subcommands: TypeAlias = argparse._SubParsersAction[Parser]  # add_subparsers()


def semantics(text: str) -> Version:
    if text not in ("v44", "v48"):
        raise argparse.ArgumentTypeError(f"unknown semantics {text!r}: choose v44 or v48")
    return Version.V44 if text == "v44" else Version.V48


BOUND_HELP = {
    "contrefs": "cont.new allocations",
    "tags": "distinct tags",
    "clauses": "handler clauses per resume",
    "host_depth": "nested host activations (1: no re-entry)",
    "handles": "slots in which wasm holds handles",
}


class Given(argparse.Action):
    """Store the value and note the flag in `given`, so a command can tell a
    flag the user gave from its default (report --json refuses the former)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, values)
        namespace.given = getattr(namespace, "given", frozenset()) | {self.dest}


def add_bounds(parser: argparse.ArgumentParser) -> None:
    """Flags shared by every command that builds a model; the help shows each
    range and the default in force (`set_defaults` may change it, as fuzz does)."""
    defaults = Bounds().as_dict()
    parser.add_argument(
        "--semantics",
        type=semantics,
        default=Version.V48,
        action=Given,
        metavar="{v44,v48}",
        help="Wasmtime 44.0.0 with its defects, or 48.0.0 (also 49.x) (default: v48)",
    )
    for name, what in BOUND_HELP.items():
        low, high = LIMITS[name]
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=int,
            default=defaults[name],
            action=Given,
            metavar="N",
            help=f"{what}, {low}-{high} (default: %(default)s)",
        )


def add_exploration(parser: argparse.ArgumentParser, when_stopped: str) -> None:
    """The flags that decide what is explored (check, graph, report);
    `when_stopped` says what a run cut short by --max-states gives."""
    add_bounds(parser)
    parser.add_argument(
        "--property", nargs="+", metavar="ID", help="check only these (default: every property)"
    )
    parser.add_argument(
        "--max-states",
        type=int,
        metavar="N",
        help=f"stop after N distinct states (default: no limit); {when_stopped}",
    )


def add_trace_dir(parser: argparse.ArgumentParser, name: str) -> None:
    """Where counterexample traces go; `name` is a trace's file name under its
    run's folder (`check` and `prove` write to one tree without clashing)."""
    parser.add_argument(
        "--trace-dir",
        type=Path,
        default=Path("traces"),
        metavar="DIR",
        help=f"counterexamples go to DIR/<semantics>-<bounds>/{name} (default: traces)",
    )


def bounds_of(args: argparse.Namespace) -> Bounds:
    try:
        return Bounds(args.contrefs, args.tags, args.clauses, args.host_depth, args.handles)
    except BoundsError as err:
        fail(str(err))


def fail(message: str) -> NoReturn:
    """One line on stderr, exit 2; a long value (a 5,000-digit flag) is shortened."""
    line = LONG_WORD.sub(_shortened, " ".join(message.split()))
    sys.stderr.write(f"contcheck: error: {line}\n")
    raise SystemExit(EXIT_USAGE)


def _shortened(word: re.Match[str]) -> str:
    text = word.group()
    return f"{text[:40]}...({len(text):,} characters)"


def check_workers(workers: int) -> None:
    if not 1 <= workers <= MAX_WORKERS:
        fail(f"--workers must be between 1 and {MAX_WORKERS} (4 per core)")
