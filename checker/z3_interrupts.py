"""Ctrl-C while z3 works (the brief: long runs stop cleanly, reporting what
was found so far).

z3's own Ctrl-C handling is switched off: in z3 5.4 its signal handler takes
a lock that the check holds while installing that handler, so a Ctrl-C at
that moment deadlocks the process (seen once in about thirty interrupted
runs), and a Ctrl-C landing after a check's answer is lost.  Instead Python
keeps SIGINT: its C handler writes to a wakeup pipe even while z3 computes,
and a watcher thread reading that pipe records the stop and interrupts z3,
whose check then returns `unknown` at once.

Python also raises KeyboardInterrupt wherever the main thread is, and under
z3 that is not always somewhere it can be caught: through ctypes it comes
out as a `ctypes.ArgumentError`; in a finalizer (`__del__`) Python drops it.
So the engines also ask `checkpoint()` before and after their solver calls.

SIGTERM is handled as Ctrl-C, so a run that is told to stop still reports
what it decided; `finishing()` lets the writing of results complete first.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from types import FrameType

import z3


@dataclass
class Stop:
    interrupted: bool = False


_requested = Stop()  # a Ctrl-C during the outermost `stoppable`
_contexts: set[z3.Context] = set()  # besides the main one, where checks may run
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_depth = [0]  # nesting of `stoppable` in the main thread: the outermost one watches


def checkpoint() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed during this run."""
    if _requested.interrupted:
        raise KeyboardInterrupt


def check(solver: z3.Solver, *assumptions: z3.BoolRef) -> z3.CheckSatResult:
    """`solver.check`, stopped by a Ctrl-C before it or during it (a
    cancelled check's `unknown` is the stop, not an answer)."""
    checkpoint()
    # z3's `Solver.check` casts each assumption to Bool through the bindings,
    # which costs more than the solving in the many small path queries.
    terms = (z3.Ast * len(assumptions))(*(a.as_ast() for a in assumptions))
    ctx = solver.ctx.ref()
    verdict = z3.CheckSatResult(
        z3.Z3_solver_check_assumptions(ctx, solver.solver, len(assumptions), terms)
    )
    checkpoint()
    return verdict


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _requested.interrupted = True
    raise KeyboardInterrupt


def _dropped(info: sys.UnraisableHookArgs) -> None:
    """Noise from finalizers after a Ctrl-C: the interrupt itself (remembered
    in `_requested`) and z3 objects whose constructor it cut short."""
    if info.exc_value is not None and is_interrupt(info.exc_value):
        return
    cut_short = isinstance(info.exc_value, AttributeError) and "z3" in getattr(
        info.object, "__module__", ""
    )
    if not cut_short:
        sys.__unraisablehook__(info)


# Written by `_watching` when its run ends (no signal has number 0).  The
# watcher cannot wait for the pipe to close instead: a process forked during
# the run (a pool worker) holds a copy of its write end, and a worker left
# alive would keep the watcher, and the run's exit, waiting forever.
_LEAVE = 0


def _watch(pipe: int, cancelled: list[z3.Context]) -> None:
    """Until told to leave: each SIGINT marks the stop and cancels z3's check."""
    while data := os.read(pipe, 64):
        if any(signum in data for signum in STOP_SIGNALS):
            _requested.interrupted = True
            for ctx in [z3.main_ctx(), *_contexts]:
                ctx.interrupt()
                cancelled.append(ctx)
        if _LEAVE in data:
            break
    os.close(pipe)


def _reset(cancelled: list[z3.Context]) -> None:
    """A cancelled context stays cancelled until a solver check resets it:
    meanwhile `simplify` and `substitute` return their input unchanged, so
    the symbolic engines build wrong terms (a substitution is how they
    instantiate a formula): a later BMC run in the process reported I3
    violated at depth 0 by a run from a store that is no state of the model.
    So each run leaves the contexts it cancelled reset (and `prove` reports
    only what the explicit model reproduces)."""
    for ctx in {id(c): c for c in cancelled}.values():
        z3.Solver(ctx=ctx).check()


@contextmanager
def _watching() -> Iterator[None]:
    """SIGINT goes to Python and a watcher thread, not to z3 (see above)."""
    read, write = os.pipe()
    os.set_blocking(write, False)
    previous_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    previous = {signum: signal.signal(signum, _on_sigint) for signum in STOP_SIGNALS}
    z3.set_param(ctrl_c=False)
    _reset([z3.main_ctx()])  # cancelled outside any run (a caller's interrupt())
    cancelled: list[z3.Context] = []
    watcher = threading.Thread(target=_watch, args=(read, cancelled), name="ctrl-c", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(previous_fd)
        with suppress(BlockingIOError):  # a full pipe: the watcher is reading it
            os.write(write, bytes([_LEAVE]))
        os.close(write)
        watcher.join()  # every Ctrl-C of the run is in `_requested` now
        _reset(cancelled)
        z3.set_param(ctrl_c=True)


def _on_stop_while_finishing(signum: int, frame: FrameType | None) -> None:
    _requested.interrupted = True


@contextmanager
def finishing() -> Iterator[None]:
    """Run the body to its end: a Ctrl-C or SIGTERM meanwhile is only
    recorded (`stoppable` reports it), so a result being written is whole."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _on_stop_while_finishing) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def interrupting(ctx: z3.Context) -> Iterator[None]:
    """A Ctrl-C also cancels the check running in `ctx` (another thread's)."""
    _contexts.add(ctx)
    try:
        yield
    finally:
        _contexts.discard(ctx)


@contextmanager
def stoppable() -> Iterator[Stop]:
    """Run the body; Ctrl-C ends it early and sets `interrupted`."""
    stop = Stop()
    outermost = threading.current_thread() is threading.main_thread() and _depth[0] == 0
    hook, sys.unraisablehook = sys.unraisablehook, _dropped
    _depth[0] += outermost
    try:
        with _watching() if outermost else nullcontext():
            yield stop
    except (KeyboardInterrupt, ctypes.ArgumentError) as err:
        if not is_interrupt(err):
            raise
        stop.interrupted = True
    except z3.Z3Exception:
        if not _requested.interrupted:
            raise
        stop.interrupted = True  # a long z3 call (a substitution) cancelled by the Ctrl-C
    finally:
        _depth[0] -= outermost
        stop.interrupted = stop.interrupted or _requested.interrupted
        if outermost:  # inner runs leave it: a Ctrl-C stops the enclosing work too
            _requested.interrupted = False
        if not stop.interrupted:  # else z3 objects cut short are finalized later
            sys.unraisablehook = hook


def is_interrupt(err: BaseException) -> bool:
    if isinstance(err, KeyboardInterrupt):
        return True
    return isinstance(err, ctypes.ArgumentError) and "KeyboardInterrupt" in str(err)
