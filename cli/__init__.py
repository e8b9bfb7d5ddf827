"""contcheck: a model checker for Wasmtime's continuation runtime.

The command line lives here; `contcheck.model` is where reading starts.
`main` imports the commands itself, so that a Ctrl-C or SIGTERM while they
load (z3 takes a while) is one line and exit 3, not a traceback.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

from . import pure

pure.install()  # before anything imports the model

EXIT_INCOMPLETE = 3  # as in .arguments, which cannot be imported yet


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        from .commands import run_command

        return run_command(argv)
    except KeyboardInterrupt:  # before the command's own handling starts
        sys.stderr.write("contcheck: interrupted\n")
        return EXIT_INCOMPLETE
    finally:
        signal.signal(signal.SIGTERM, previous)
