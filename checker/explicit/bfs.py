"""Exhaustive breadth-first exploration with shortest counterexamples.

States are stored once (checker.store: canonical keys, or 64-bit fingerprints
of them), with a parent index and the index of the action (in the parent's
`actions()` list) that first reached them: breadth-first order makes every
recorded path a shortest one.  The frontier keeps the keys of one level only.
"""

from __future__ import annotations

import gc
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from contcheck.model import ContinuationModel
from contcheck.properties import Property

from .expansion import Expansion, StateExpander, Successor
from .parallel import ParallelExpander, WorkerLost
from .store import StateStore


@dataclass
class Found:
    """The first (shortest) violation of one property.

    The trace ends in state `state`; for a transition property it continues
    with one more step, action `action` of that state, reaching `target`.
    """

    property_id: str
    message: str
    length: int
    state: int
    action: int | None = None
    target: bytes = b""


def record_first(
    found: dict[str, Found],
    violations: list[tuple[str, str]],
    length: int,
    state: int,
    action: int | None = None,
    target: bytes = b"",
) -> None:
    """Keep each property's first violation: in breadth-first order, a shortest one."""
    for pid, message in violations:
        if pid not in found:
            found[pid] = Found(pid, message, length, state, action, target)


@dataclass
class Stats:
    states: int = 0
    transitions: int = 0
    depth: int = 0
    seconds: float = 0.0
    queue: int = 0
    peak_memory_kb: int = 0

    @property
    def rate(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Exploration:
    model: ContinuationModel
    properties: list[Property]
    store: StateStore
    found: dict[str, Found]
    stats: Stats
    exhaustive: bool
    stop_reason: str


Progress = Callable[[Stats], None]
# Called with (parent index, action index, child index) for every transition
# whose target is in the store; opt-in, for graphs of the state space.
EdgeSink = Callable[[int, int, int], None]


def explore(
    model: ContinuationModel,
    properties: list[Property],
    max_states: int | None = None,
    progress: Progress | None = None,
    workers: int = 1,
    edges: EdgeSink | None = None,
    exact: bool = True,
) -> Exploration:
    """Explore every reachable state (or up to `max_states`); Ctrl-C stops
    the search cleanly with what was found so far.  `edges`, if given,
    receives every transition (the store itself keeps only first parents).
    Without `exact` the store keeps fingerprints, not keys (checker.store).
    Only the properties that apply to the model's release are checked, as
    by the workers, which rebuild them by ID for that release."""
    properties = [p for p in properties if p.applies_to(model.version)]
    run = _Run(model, properties, max_states, progress, StateStore(exact))
    run.edges = edges
    expander = _expander(model, properties, workers, every=edges is not None)
    try:
        with no_cycle_collection():
            run.search(expander)
        run.exhaustive = not run.stop_reason
    except KeyboardInterrupt:
        run.stop_reason = "interrupted"
    except MemoryError:  # what was found so far is still reported
        run.stop_reason = "out of memory"
    except WorkerLost as lost:
        run.stop_reason = str(lost)
    finally:
        close = getattr(expander, "close", None)
        if close is not None:
            close()
    return run.result()


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector: an expansion allocates hundreds of
    tuples, which trigger a collection every few states, each scanning the
    caches of keys and decoded parts (a sixth of the search's time), and the
    search makes no reference cycles for it to find."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


Expander = Callable[[list[bytes]], Iterator[Expansion]]


def _expander(
    model: ContinuationModel, properties: list[Property], workers: int, every: bool
) -> Expander:
    if workers > 1:
        return ParallelExpander(model, [p.id for p in properties], workers, every)
    expander = StateExpander(model, properties, every)
    return lambda keys: (expander.expand(key) for key in keys)


class _Run:
    def __init__(
        self,
        model: ContinuationModel,
        properties: list[Property],
        max_states: int | None,
        progress: Progress | None,
        store: StateStore,
    ) -> None:
        self.model = model
        self.properties = properties
        self.max_states = max_states
        self.progress = progress
        self.store = store
        self.found: dict[str, Found] = {}
        self.stats = Stats()
        self.exhaustive = False
        self.stop_reason = ""
        self.started = time.monotonic()
        self.last_report = self.started
        self.edges: EdgeSink | None = None

    def search(self, expander: Expander) -> None:
        frontier = [self.model.key(s) for s in self.model.init_states()]
        indices = [self.store.add(key, -1, -1, 0) for key in frontier]
        depth = 0
        while frontier and not self.stop_reason:
            next_frontier: list[bytes] = []
            next_indices: list[int] = []
            for parent, expansion in zip(indices, expander(frontier), strict=False):
                record_first(self.found, expansion.violations, depth, parent)
                self.stats.transitions += expansion.transitions
                self._absorb(parent, depth, expansion.successors, next_frontier, next_indices)
                if self.edges is not None:
                    self._emit_edges(parent, expansion.successors, self.edges)
                if self.stop_reason:
                    break
            frontier, indices = next_frontier, next_indices
            depth += 1

    def _absorb(
        self,
        parent: int,
        depth: int,
        successors: list[Successor],
        frontier: list[bytes],
        indices: list[int],
    ) -> None:
        for succ in successors:
            if succ.violations:
                record_first(self.found, succ.violations, depth + 1, parent, succ.action, succ.key)
            index = self.store.add_new(succ.key, parent, succ.action, depth + 1)
            if index < 0:
                continue  # stored by an earlier action of this state, or before
            indices.append(index)
            frontier.append(succ.key)
            self.stats.depth = max(self.stats.depth, depth + 1)
            if self.max_states is not None and len(self.store) >= self.max_states:
                self.stop_reason = "max-states"
                return
        self._tick(len(frontier))

    def _emit_edges(self, parent: int, successors: list[Successor], sink: EdgeSink) -> None:
        # After _absorb, so new children have their index; a child missing
        # from the store (cut off by --max-states) has no node to point at.
        for succ in successors:
            child = self.store.find(succ.key)
            if child >= 0:
                sink(parent, succ.action, child)

    def _tick(self, queue: int) -> None:
        now = time.monotonic()
        if self.progress is not None and now - self.last_report >= 0.5:
            self.last_report = now
            self._update_stats(queue)
            self.progress(self.stats)

    def _update_stats(self, queue: int = 0) -> None:
        self.stats.states = len(self.store)
        self.stats.seconds = time.monotonic() - self.started
        self.stats.queue = queue
        self.stats.peak_memory_kb = peak_memory_kb()

    def result(self) -> Exploration:
        self._update_stats()
        return Exploration(
            self.model,
            self.properties,
            self.store,
            self.found,
            self.stats,
            self.exhaustive,
            self.stop_reason,
        )


def peak_memory_kb() -> int:
    """The largest peak of this process and its finished workers: a worker's
    caches can outgrow the parent's store (at v48's defaults with handles 3, a
    worker peaked at 248 MiB and the parent at 145).  Live workers do not
    count, so progress shows the parent's peak, the final line every one's."""
    return max(
        resource.getrusage(r).ru_maxrss for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
