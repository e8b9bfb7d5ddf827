"""`contcheck replay FILE --on native`: a trace on real stacks, step by step."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from contcheck.checker.itf import TraceError, read_trace
from contcheck.checker.native_replay import replay_trace

from .arguments import EXIT_OK, EXIT_VIOLATED, fail

if TYPE_CHECKING:
    from .arguments import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser("replay", help="replay a trace on real stacks and compare with the model")
    p.add_argument("file", type=Path)
    p.add_argument(
        "--on", choices=["native"], default="native", help="native: greenlet stacks (default)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        trace = read_trace(args.file)
    except TraceError as err:
        fail(f"{args.file}: {err}")
    for step in replay_trace(trace):
        if step.agree:
            print(f"step {step.index}: {step.action}   agree")
            continue
        print(f"step {step.index}: {step.action}   DIFFER")
        for difference in step.differences:
            print(f"  {difference}")
        return EXIT_VIOLATED
    return EXIT_OK
