"""The command line: parsers whose errors are one line and exit code 2."""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from contcheck.model import Bounds, BoundsError, Version

EXIT_OK, EXIT_VIOLATED, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
MAX_WORKERS = 4 * (os.cpu_count() or 1)  # more processes than this only compete for cores
LONG_WORD = re.compile(r"\S{61,}")


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        fail(message)


if TYPE_CHECKING:
    Subcommands: TypeAlias = argparse._SubParsersAction[Parser]  # add_subparsers()


def semantics(text: str) -> Version:
    if text not in ("v44", "v48"):
        raise argparse.ArgumentTypeError(f"unknown semantics {text!r}: choose v44 or v48")
    return Version.V44 if text == "v44" else Version.V48


def add_bounds(parser: argparse.ArgumentParser) -> None:
    """Flags shared by every command that builds a model."""
    defaults = Bounds()
    parser.add_argument(
        "--semantics", type=semantics, default=Version.V48, help="v44 or v48 (default)"
    )
    parser.add_argument(
        "--contrefs", type=int, default=defaults.contrefs, help="cont.new allocations"
    )
    parser.add_argument("--tags", type=int, default=defaults.tags, help="distinct tags")
    parser.add_argument(
        "--clauses", type=int, default=defaults.clauses, help="handler clauses per resume"
    )
    parser.add_argument(
        "--host-depth", type=int, default=defaults.host_depth, help="nested host activations"
    )
    parser.add_argument(
        "--handles", type=int, default=defaults.handles, help="handle slots wasm holds"
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
