"""Exhaustive breadth-first exploration with shortest counterexamples.

States are stored once, as compact canonical keys (model.canonical), with a
parent index and the index of the action (in the parent's `actions()` list)
that first reached them: breadth-first order makes every recorded path a
shortest one.  The frontier keeps full states for one level only.
"""

from __future__ import annotations

import resource
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from contcheck.model import ContinuationModel, State
from contcheck.model.canonical import canonical, encode
from contcheck.properties import Property, state_violations, transition_violations

from .expansion import Successor, expand


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
class StateStore:
    """Every distinct state: key -> index, and how it was first reached."""

    index: dict[bytes, int] = field(default_factory=dict)
    keys: list[bytes] = field(default_factory=list)
    parent: array = field(default_factory=lambda: array("i"))
    via: array = field(default_factory=lambda: array("i"))
    depth: array = field(default_factory=lambda: array("H"))

    def add(self, key: bytes, parent: int, via: int, depth: int) -> int:
        i = len(self.keys)
        self.index[key] = i
        self.keys.append(key)
        self.parent.append(parent)
        self.via.append(via)
        self.depth.append(depth)
        return i

    def path(self, i: int) -> list[int]:
        """State indices from the initial state to `i`."""
        out = [i]
        while self.parent[i] >= 0:
            i = self.parent[i]
            out.append(i)
        return out[::-1]


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


def explore(
    model: ContinuationModel,
    properties: list[Property],
    max_states: int | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> Exploration:
    """Explore every reachable state (or up to `max_states`); Ctrl-C stops
    the search cleanly with what was found so far."""
    run = _Run(model, properties, max_states, progress)
    try:
        run.search(_expander(model, properties, workers))
        run.exhaustive = not run.stop_reason
    except KeyboardInterrupt:
        run.stop_reason = "interrupted"
    return run.result()


def _expander(
    model: ContinuationModel, properties: list[Property], workers: int
) -> Callable[[list[State]], Iterator[list[Successor]]]:
    if workers > 1:
        from .parallel import ParallelExpander

        return ParallelExpander(model, [p.id for p in properties], workers)
    return lambda states: (expand(model, properties, s) for s in states)


class _Run:
    def __init__(
        self,
        model: ContinuationModel,
        properties: list[Property],
        max_states: int | None,
        progress: Progress | None,
    ) -> None:
        self.model = model
        self.properties = properties
        self.max_states = max_states
        self.progress = progress
        self.store = StateStore()
        self.found: dict[str, Found] = {}
        self.stats = Stats()
        self.exhaustive = False
        self.stop_reason = ""
        self.started = time.monotonic()
        self.last_report = self.started

    def search(self, expander: Callable[[list[State]], Iterator[list[Successor]]]) -> None:
        frontier = [canonical(s) for s in self.model.init_states()]
        indices = [self._discover(s, encode(s), -1, -1, 0) for s in frontier]
        depth = 0
        while frontier and not self.stop_reason:
            next_frontier: list[State] = []
            next_indices: list[int] = []
            for parent, successors in zip(indices, expander(frontier), strict=True):
                self._absorb(parent, depth, successors, next_frontier, next_indices)
                if self.stop_reason:
                    break
            frontier, indices = next_frontier, next_indices
            depth += 1

    def _absorb(
        self,
        parent: int,
        depth: int,
        successors: list[Successor],
        frontier: list[State],
        indices: list[int],
    ) -> None:
        for succ in successors:
            self.stats.transitions += 1
            for pid, message in succ.violations:
                if pid not in self.found:
                    self.found[pid] = Found(pid, message, depth + 1, parent, succ.action, succ.key)
            if succ.key in self.store.index:
                continue
            i = self._discover(succ.state, succ.key, parent, succ.action, depth + 1)
            frontier.append(succ.state)
            indices.append(i)
            if self.max_states is not None and len(self.store.keys) >= self.max_states:
                self.stop_reason = "max-states"
                return
        self._tick(len(frontier))

    def _discover(self, state: State, key: bytes, parent: int, via: int, depth: int) -> int:
        i = self.store.add(key, parent, via, depth)
        self.stats.depth = max(self.stats.depth, depth)
        for pid, message in state_violations(self.properties, state, self.model.version):
            if pid not in self.found:
                self.found[pid] = Found(pid, message, depth, i)
        return i

    def _tick(self, queue: int) -> None:
        now = time.monotonic()
        if self.progress is not None and now - self.last_report >= 0.5:
            self.last_report = now
            self._update_stats(queue)
            self.progress(self.stats)

    def _update_stats(self, queue: int = 0) -> None:
        self.stats.states = len(self.store.keys)
        self.stats.seconds = time.monotonic() - self.started
        self.stats.queue = queue
        self.stats.peak_memory_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

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
