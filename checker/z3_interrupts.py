"""Ctrl-C while z3 works (the brief: long runs stop cleanly, reporting what
was found so far).

Python raises KeyboardInterrupt wherever the main thread happens to be, and
under z3 that is not always somewhere it can be caught: z3 catches the
signal inside a check and answers `unknown` ("canceled"); in a call through
ctypes it comes out as a `ctypes.ArgumentError`; in a finalizer (`__del__`)
Python drops it, with a traceback on stderr.  So a Ctrl-C is also
remembered (and a dropped one not printed), and the engines ask
`checkpoint()` between solver calls.
"""

from __future__ import annotations

import ctypes
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

import z3


@dataclass
class Stop:
    interrupted: bool = False


_requested = Stop()  # a Ctrl-C not yet acted on


def checkpoint() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed and not yet acted on."""
    if _requested.interrupted:
        raise KeyboardInterrupt


def raise_if_interrupted(verdict: z3.CheckSatResult, solver: z3.Solver) -> None:
    """On a solver without a time limit, `canceled` can only be Ctrl-C."""
    if verdict == z3.unknown and solver.reason_unknown() == "canceled":
        raise KeyboardInterrupt
    checkpoint()


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _requested.interrupted = True
    raise KeyboardInterrupt


def _dropped(info: sys.UnraisableHookArgs) -> None:
    """A Ctrl-C raised in a finalizer is remembered: not worth a traceback."""
    if not isinstance(info.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(info)


@contextmanager
def stoppable() -> Iterator[Stop]:
    """Run the body; Ctrl-C ends it early and sets `interrupted`."""
    stop = Stop()
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _on_sigint) if main else None
    hook, sys.unraisablehook = sys.unraisablehook, _dropped
    try:
        yield stop
    except (KeyboardInterrupt, ctypes.ArgumentError) as err:
        if not is_interrupt(err):
            raise
        stop.interrupted = True
    finally:
        stop.interrupted = stop.interrupted or _requested.interrupted
        _requested.interrupted = False
        sys.unraisablehook = hook
        if main:
            signal.signal(signal.SIGINT, previous)


def is_interrupt(err: BaseException) -> bool:
    if isinstance(err, KeyboardInterrupt):
        return True
    return isinstance(err, ctypes.ArgumentError) and "KeyboardInterrupt" in str(err)
