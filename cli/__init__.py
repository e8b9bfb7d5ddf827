"""contcheck: a model checker for Wasmtime's continuation runtime.

The command line lives here; `contcheck.model` is where reading starts.
"""

from __future__ import annotations

import sys

from . import pure

pure.install()  # before anything imports the model

from contcheck.checker.z3_interrupts import stoppable  # noqa: E402

from . import check, crosscheck, fuzz, graph, prove, replay, report, traces  # noqa: E402
from .arguments import EXIT_INCOMPLETE, Parser  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="contcheck", description=__doc__.splitlines()[0] if __doc__ else None)
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
    code: int = EXIT_INCOMPLETE
    try:
        with stoppable() as stop:
            code = args.run(args)
    except BrokenPipeError:
        return 0
    if stop.interrupted:
        sys.stderr.write("contcheck: interrupted\n")
    return code
