"""Many checks against one solver's assertions, on two cores.

z3 contexts are independent, and ctypes lets go of the GIL while z3 solves,
so a second thread checking in a context of its own runs beside the main
one.  A context is not safe to share between threads (even reading one
while another thread solves in it), so everything the worker needs is
translated into its context before it starts, and nothing of it is touched
or freed until it has finished.  Python's cycle collector is paused while
the worker runs: run from the worker's thread, it could free the main
context's objects while the main thread works in that context.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import z3

from contcheck.checker.z3_interrupts import check, interrupting

Timed = tuple[z3.CheckSatResult, float]  # a verdict and the seconds it took


def check_all(solver: z3.Solver, queries: list[z3.BoolRef]) -> list[Timed]:
    """`check(solver, q)` for each query: every other one (from the second)
    in a worker thread on a copy of `solver`, the rest here."""
    verdicts: list[Timed] = [(z3.unknown, 0.0)] * len(queries)
    with _worker(solver, queries[1::2]) as finished:
        for k, query in enumerate(queries[::2]):
            verdicts[2 * k] = _timed(solver, query)
        for k, verdict in enumerate(finished()):
            verdicts[2 * k + 1] = verdict
    return verdicts


def _timed(solver: z3.Solver, query: z3.BoolRef) -> Timed:
    start = time.perf_counter()
    return check(solver, query), time.perf_counter() - start


@contextmanager
def _worker(solver: z3.Solver, queries: list[z3.BoolRef]) -> Iterator[Callable[[], list[Timed]]]:
    ctx = z3.Context()
    # Kept here, and so freed only when the worker is done with the context.
    copy = solver.translate(ctx)
    theirs = [q.translate(ctx) for q in queries]
    with _no_cycle_collection(), interrupting(ctx), ThreadPoolExecutor(1) as pool:
        job = pool.submit(lambda: [_timed(copy, q) for q in theirs])
        yield job.result


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
