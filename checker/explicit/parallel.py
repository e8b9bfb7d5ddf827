"""Expanding a frontier on several cores: each worker process rebuilds the
model once, then expands chunks of keys; results come back in order, so a
parallel run finds the same states, traces and numbers as a serial one.

A worker leaves out of its results the successors it has already sent
without violations: a worker takes its chunks in the parent's order, and the
parent stores the states of a chunk before it reads the next, so such a
successor is stored by then and would be dropped.  Most successors are of
that kind: shipping them took more than half of the parent's CPU time.

Expansions travel as plain tuples: a NamedTuple is pickled and unpickled
through interpreted Python (`__getnewargs__`, `__new__`), plain tuples by
the pickler's C code (6% less CPU in a two-worker v44 run)."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import multiprocessing.pool
import os
import signal
import sys
from collections.abc import Iterator

from contcheck.checker.z3_interrupts import finishing
from contcheck.model import Bounds, ContinuationModel, Version
from contcheck.model.state import record_of
from contcheck.properties import by_id

from .expansion import Expansion, StateExpander, Successor, Violations

CHUNK = 256
SENT_LIMIT = 300_000  # keys a worker remembers having sent (cleared when full)

# An `Expansion` on the wire: (violations, successors, transitions).
Wire = tuple[Violations, list[tuple[int, bytes, Violations]], int]

_expander: StateExpander | None = None
_sent: set[bytes] = set()


def _init(
    version: int, bounds: dict[str, int], symmetry: bool, property_ids: list[str], every: bool
) -> None:
    global _expander
    # A signal to the whole process group (Ctrl-C in a terminal, `timeout`'s
    # SIGTERM) is for the parent, which stops the pool: a worker killed by it
    # while holding the task queue's lock would leave `Pool.terminate` waiting
    # for that lock forever.  So workers leave the group, ignore SIGINT, and
    # die quietly of the SIGTERM `terminate` sends them.
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    gc.disable()  # as in bfs.no_cycle_collection: workers only expand states
    model = ContinuationModel(Version(version), Bounds(**bounds), symmetry)
    _expander = StateExpander(model, by_id(property_ids, model.version), every)


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent() -> None:
    """A worker outlives a parent killed outright (`kill -9`, the OOM killer)
    and later prints a BrokenPipeError traceback: on Linux the kernel sends it
    SIGTERM instead, which it dies of quietly."""
    parent = multiprocessing.parent_process()
    if sys.platform != "linux" or parent is None:
        return
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent.pid:  # the parent died before the request was made
        os._exit(1)


def _expand_chunk(keys: list[bytes]) -> list[Wire]:
    assert _expander is not None
    return [_wire(_expander.expand(key), _expander.every) for key in keys]


def _wire(expansion: Expansion, every: bool) -> Wire:
    """`expansion` as plain tuples, without the successors already sent with
    no violation (all of them with `every`: graphs draw each transition)."""
    successors = expansion.successors if every else _unsent(expansion.successors)
    kept = [(s.action, s.key, s.violations) for s in successors]
    return expansion.violations, kept, expansion.transitions


def _unsent(successors: list[Successor]) -> list[Successor]:
    if len(_sent) > SENT_LIMIT:
        _sent.clear()
    kept = []
    for succ in successors:
        if succ.violations or succ.key not in _sent:
            _sent.add(succ.key)
            kept.append(succ)
    return kept


def _unwired(wire: Wire) -> Expansion:
    own, successors, transitions = wire
    return record_of(Expansion, own, [record_of(Successor, *s) for s in successors], transitions)


class WorkerLost(Exception):
    """A worker process died: its chunk's results will never come."""


class _Pool(multiprocessing.pool.Pool):
    """CPython's pool with a quieter worker handler.  That thread also wakes
    whenever a result waits in the pipe from the workers, and then spins
    until the result handler has read it (a quarter of the parent's CPU in a
    two-worker run, 45,000 wake-ups in 23 s).  It is needed only when a
    worker exits, which the workers' own sentinels still signal, and when
    the pool changes, which the change notifier signals.  The method is
    private to CPython's pool: were it renamed, this override would go
    unused and the thread would only spin again."""

    def _get_sentinels(self) -> list[object]:
        return [vars(self)["_change_notifier"]._reader]


class ParallelExpander:
    def __init__(
        self, model: ContinuationModel, property_ids: list[str], workers: int, every: bool
    ) -> None:
        self.pool = _Pool(
            workers,
            initializer=_init,
            initargs=(
                int(model.version),
                model.bounds.as_dict(),
                model.symmetry,
                property_ids,
                every,
            ),
            context=multiprocessing.get_context("fork"),
        )
        self.workers = self._worker_pids()

    def _worker_pids(self) -> set[int]:
        return {p.pid for p in vars(self.pool)["_pool"] if p.pid is not None}

    def __call__(self, keys: list[bytes]) -> Iterator[Expansion]:
        chunks = [keys[i : i + CHUNK] for i in range(0, len(keys), CHUNK)]
        results = self.pool.imap(_expand_chunk, chunks)
        for _ in chunks:
            for wire in self._next(results):
                yield _unwired(wire)

    def _next(self, results: multiprocessing.pool.IMapIterator[list[Wire]]) -> list[Wire]:
        """The next chunk's results.  A worker that dies (the OOM killer,
        `kill -9`) takes its chunk with it and the pool only replaces it, so
        the wait is in slices, checking that the workers are the same; the
        slice length bounds how late a death is noticed, not any verdict."""
        while True:
            try:
                return results.next(timeout=1.0)
            except multiprocessing.TimeoutError:
                died = self.workers - self._worker_pids()
                if died:
                    raise WorkerLost(f"worker process {min(died)} died") from None

    def close(self) -> None:
        # A second stop signal must not cut the shutdown short (it would leave
        # the workers running): GNU timeout signals the run, then its group.
        with finishing():
            self.pool.terminate()
            self.pool.join()
