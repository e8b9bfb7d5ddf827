"""Breadth-first search over shards of the visited set, level by level.

Each level: every shard expands the frontier states it owns; the coordinator
walks the expansions in global index order (the order the local search
`bfs.py` visits them in), sends each shard the distinct candidate successors
it owns, learns which are new, and gives the new ones their indices in that
same order. So the indices, the parent index, the violations recorded first
and hence every shortest counterexample are exactly the local search's. The
coordinator keeps only the parent index (parent, action, depth: 14 bytes a
state); the keys stay in their shards.

A level interrupted (Ctrl-C, SIGTERM) is rolled back: the result, and the
checkpoint written then, are those of the last complete level.
"""

from __future__ import annotations

import heapq
import resource
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from contcheck.model import ContinuationModel
from contcheck.properties import Property

from .bfs import Exploration, Found, Progress, Stats, record_first
from .expansion import Successor
from .partition import Expanded, owner
from .store import StateStore


class Shards(Protocol):
    """The shards, in-process or remote: one call per shard, results in order."""

    count: int

    def call(self, method: str, args: list[tuple[Any, ...]]) -> list[Any]: ...
    def close(self) -> None: ...


@dataclass
class Level:
    """What a level tells the user: states so far, the new frontier, per shard."""

    depth: int
    states: int
    frontier: int
    seconds: float
    per_shard: list[int]


LevelSink = Callable[[Level], None]


@dataclass
class Search:
    """The coordinator's state: all a checkpoint saves besides the shards."""

    parent: array[int] = field(default_factory=lambda: array("q"))
    via: array[int] = field(default_factory=lambda: array("i"))
    depth: array[int] = field(default_factory=lambda: array("H"))
    found: dict[str, Found] = field(default_factory=dict)
    level: int = 0
    frontier: int = 0
    transitions: int = 0
    max_depth: int = 0
    seconds: float = 0.0  # spent in earlier runs of a resumed search

    def add(self, parent: int, via: int, depth: int) -> int:
        self.parent.append(parent)
        self.via.append(via)
        self.depth.append(depth)
        return len(self.parent) - 1

    def truncate(self, size: int) -> None:
        for column in (self.parent, self.via, self.depth):
            del column[size:]


@dataclass
class Run:
    model: ContinuationModel
    properties: list[Property]
    shards: Shards
    max_states: int | None = None
    progress: Progress | None = None
    on_level: LevelSink | None = None
    # Called after each complete level (checkpoints).
    after_level: Callable[[Search], None] | None = None
    search: Search = field(default_factory=Search)
    stop_reason: str = ""
    started: float = field(default_factory=time.monotonic)

    def seed(self) -> None:
        seeds: list[list[tuple[int, bytes]]] = [[] for _ in _all(self)]
        for state in self.model.init_states():
            key = self.model.key(state)
            shard = owner(key, self.shards.count)
            seeds[shard].append((self.search.add(-1, -1, 0), key))
        self.shards.call("seed", [(s,) for s in seeds])
        self.search.frontier = len(self.search.parent)

    def explore(self) -> None:
        """Levels until the frontier is empty, `max_states` is reached or an
        interrupt; a level interrupted is undone."""
        while self.search.frontier and not self.stop_reason:
            size, found = len(self.search.parent), dict(self.search.found)
            saved = (self.search.transitions, self.search.max_depth, self.search.frontier)
            level = self.search.level
            try:
                self._level()
            except KeyboardInterrupt:
                self.search.truncate(size)
                self.search.found = found
                self.search.transitions, self.search.max_depth, self.search.frontier = saved
                self.search.level = level
                self.shards.call("rollback", [(level,)] * self.shards.count)
                self.stop_reason = "interrupted"
                return
            try:
                if self.after_level is not None:
                    self.after_level(self.search)
            except KeyboardInterrupt:  # between levels: nothing to undo
                self.stop_reason = "interrupted"

    def _level(self) -> None:
        depth = self.search.level
        expanded = self.shards.call("expand", [()] * self.shards.count)
        walk = list(heapq.merge(*expanded, key=lambda e: e[0]))
        flags = self._admit(walk)
        commits: list[list[int]] = [[] for _ in _all(self)]
        for parent, own, successors, transitions in walk:
            record_first(self.search.found, own, depth, parent)
            self.search.transitions += transitions
            self._absorb(parent, depth, successors, flags, commits)
            if self.stop_reason:
                break
        self.shards.call("commit", [(depth, c) for c in commits])
        self.search.frontier = sum(len(c) for c in commits)
        self.search.level += 1
        self._report(depth, [len(c) for c in commits])

    def _admit(self, walk: list[Expanded]) -> set[bytes]:
        """The candidate successors that no shard has seen before."""
        candidates: list[list[bytes]] = [[] for _ in _all(self)]
        seen: set[bytes] = set()
        for _, _, successors, _ in walk:
            for succ in successors:
                if succ.key not in seen:
                    seen.add(succ.key)
                    candidates[owner(succ.key, self.shards.count)].append(succ.key)
        answers = self.shards.call("admit", [(c,) for c in candidates])
        return {
            key
            for keys, flags in zip(candidates, answers, strict=True)
            for key, new in zip(keys, flags, strict=True)
            if new
        }

    def _absorb(
        self,
        parent: int,
        depth: int,
        successors: list[Successor],
        new: set[bytes],
        commits: list[list[int]],
    ) -> None:
        # As bfs._Run._absorb, with "not in the store" answered by the shards.
        for succ in successors:
            if succ.violations:
                record_first(
                    self.search.found, succ.violations, depth + 1, parent, succ.action, succ.key
                )
            if succ.key not in new:
                continue
            new.discard(succ.key)
            shard = owner(succ.key, self.shards.count)
            commits[shard].append(self.search.add(parent, succ.action, depth + 1))
            self.search.max_depth = max(self.search.max_depth, depth + 1)
            if self.max_states is not None and len(self.search.parent) >= self.max_states:
                self.stop_reason = "max-states"
                return

    def _report(self, depth: int, per_shard: list[int]) -> None:
        stats = self.stats()
        if self.progress is not None:
            self.progress(stats)
        if self.on_level is not None:
            self.on_level(Level(depth, stats.states, stats.queue, stats.seconds, per_shard))

    def stats(self) -> Stats:
        elapsed = time.monotonic() - self.started + self.search.seconds
        return Stats(
            len(self.search.parent),
            self.search.transitions,
            self.search.max_depth,
            elapsed,
            self.search.frontier,
            # This process only: shards on Ray report their own (bytes_used).
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        )

    def result(self, gather_keys: bool) -> Exploration:
        """The run as the local search reports it. Traces need only the
        parent index; the keys, which views of the state space decode, are
        gathered from the shards only if asked (they may not fit here)."""
        keys: dict[int, bytes] = {}
        if gather_keys:
            for part in self.shards.call("keys", [()] * self.shards.count):
                keys.update(part)
        ordered = [keys[i] for i in range(len(self.search.parent))] if gather_keys else None
        store = StateStore.rebuilt(self.search.parent, self.search.via, self.search.depth, ordered)
        exhaustive = not self.stop_reason
        return Exploration(
            self.model,
            self.properties,
            store,
            self.search.found,
            self.stats(),
            exhaustive,
            self.stop_reason,
        )


def _all(run: Run) -> Iterator[int]:
    return iter(range(run.shards.count))
