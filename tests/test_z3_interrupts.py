"""Ctrl-C inside a z3 check (issue: z3, "exit 3 ... with the reason for
`unknown`"; the brief: long runs can be interrupted cleanly)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from typing import Any

import z3

from contcheck.checker.symbolic import Semantics, bmc
from contcheck.checker.z3_interrupts import checkpoint, stoppable
from contcheck.model import Bounds, Version
from contcheck.properties import by_id


def _pigeonhole(n: int) -> z3.Solver:
    """n pigeons, n-1 holes: unsat, and seconds of search for n = 11."""
    p = [[z3.Bool(f"p{i}_{j}") for j in range(n - 1)] for i in range(n)]
    s = z3.Solver()
    s.add(*[z3.Or(row) for row in p])
    for j in range(n - 1):
        s.add(*[z3.Or(z3.Not(p[i][j]), z3.Not(p[k][j])) for i in range(n) for k in range(i)])
    return s


def test_ctrl_c_cancels_a_long_check_and_stops_the_run() -> None:
    """A SIGINT half a second into a check of several seconds cancels the
    check (it never returns) and stops the run, as an interrupt (not z3's
    `unknown`, which z3's own handler would give); the next run's checks
    are not cancelled."""
    solver = _pigeonhole(11)
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    returned: list[z3.CheckSatResult] = []
    with stoppable() as stop:
        returned.append(solver.check())  # cancelled: it raises, it does not return
        checkpoint()
        raise AssertionError("the check ran to its end")
    assert stop.interrupted and not returned
    x = z3.Int("x")
    with stoppable() as again:
        assert z3.Solver().check(x > 1) == z3.sat
    assert not again.interrupted


def test_nested_runs_all_stop() -> None:
    """A Ctrl-C ends the inner run (an engine) and the outer one (the
    command) sees it too: everything after it is cut short."""
    with stoppable() as outer:
        with stoppable() as inner:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        assert inner.interrupted
        checkpoint()
        raise AssertionError("the outer run went on")
    assert outer.interrupted


def test_a_z3_call_cancelled_by_ctrl_c_is_the_interrupt() -> None:
    """The Ctrl-C cancels every z3 context, so a long call other than a check
    that was running (in the induction, the substitution that builds a
    query) fails with z3's own 'canceled' error: after a Ctrl-C that is the
    interrupt, not a crash.  (z3 calls that install z3's own handler, such
    as tactics, cannot stand in for one here, so the error is raised as z3
    would raise it.)"""
    with stoppable() as stop:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # Python raises KeyboardInterrupt here at once
        except KeyboardInterrupt:
            pass
        raise z3.Z3Exception(b"canceled")
    assert stop.interrupted


def test_other_z3_errors_are_not_taken_for_interrupts() -> None:
    """Without a Ctrl-C, a z3 error is an error."""
    try:
        with stoppable():
            raise z3.Z3Exception(b"invalid argument")
    except z3.Z3Exception:
        return
    raise AssertionError("the error was swallowed")


def _wait_released(release: Any) -> None:
    sys.exit(0 if release.wait(120) else 1)


def test_a_run_ends_while_a_process_it_forked_lives() -> None:
    """A process forked during a run (a pool worker) holds a copy of the
    watcher's pipe: leaving the run must not wait for that process to end
    (a worker left running after a second SIGTERM once kept `check` from
    exiting at all).  The child exits 0 only if it is released, which
    happens after the run is left; waiting for it would time it out first."""
    forking = multiprocessing.get_context("fork")
    release = forking.Event()
    with stoppable():
        child = forking.Process(target=_wait_released, args=(release,))
        child.start()
    release.set()
    child.join()
    assert child.exitcode == 0


def test_a_ctrl_c_leaves_no_cancelled_context_behind() -> None:
    """A Ctrl-C when no z3 check runs still cancels z3's context, and z3 keeps
    it cancelled until a solver check resets it: `simplify` meanwhile returns
    its input unchanged, and a BMC run later in the process reported a false
    I3 violation at depth 0.  The run that took the Ctrl-C resets it."""
    x = z3.Int("x")
    with stoppable() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        checkpoint()
    assert stop.interrupted
    assert z3.is_true(z3.simplify(x + 0 == x))


def test_a_run_starts_from_a_context_cancelled_elsewhere() -> None:
    """The same quirk from outside: a caller that interrupted z3's main context
    itself (no run of ours to reset it) leaves terms built wrong.  A run
    resets the context first: BMC of I3 (which holds, §4) finds nothing."""
    z3.main_ctx().interrupt()
    result = bmc(Semantics(Bounds(), Version.V48), by_id(["I3"], Version.V48), 1)
    assert result.findings == {} and result.depth == 1
