"""One shard of a partitioned breadth-first search: the visited keys whose
hash falls to it, the frontier states it owns, and their expansion.

The coordinator (`partitioned.py`) drives every shard through the same four
calls per level: `expand` its frontier, `admit` the candidate successors it
owns (which are new?), `commit` the global indices the coordinator gave the
new ones, or `rollback` a level cut short. A shard runs in-process or as a Ray
actor (`ray_cluster.py`); either way it sees only keys, never other shards.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from contcheck.model import Bounds, ContinuationModel, Version
from contcheck.properties import by_id

from .expansion import StateExpander, Successor, Violations
from .visited import MemoryVisited, Spill, SpillingVisited, Visited

# (global index of the expanded state, its own violations, its successors,
# its transitions): an `Expansion` with the index in front.
Expanded = tuple[int, Violations, list[Successor], int]


def owner(key: bytes, shards: int) -> int:
    """The shard that owns `key`: CRC-32, not `hash()`, which differs per process."""
    return zlib.crc32(key) % shards


class Partition:
    def __init__(
        self,
        version: int,
        bounds: dict[str, int],
        symmetry: bool,
        property_ids: list[str],
        spill: Spill | None = None,
    ) -> None:
        model = ContinuationModel(Version(version), Bounds(**bounds), symmetry)
        self.expander = StateExpander(model, by_id(property_ids, model.version))
        self.visited: Visited = (
            MemoryVisited() if spill is None else SpillingVisited(spill.folder, spill.after)
        )
        self.frontier: list[tuple[int, bytes]] = []
        self.previous: list[tuple[int, bytes]] = []  # the frontier a rollback returns to
        self.pending: list[bytes] = []  # admitted, not yet given an index
        self.added: list[bytes] = []  # committed by the last level
        self.committed = -1  # the last level committed

    def seed(self, pairs: list[tuple[int, bytes]]) -> None:
        self.visited.add_many([(key, index) for index, key in pairs])
        self.frontier += pairs

    def expand(self) -> list[Expanded]:
        return [(i, *self.expander.expand(key)) for i, key in self.frontier]

    def admit(self, keys: list[bytes]) -> list[bool]:
        """Which of `keys` (distinct, in the coordinator's order) are new."""
        flags = self.visited.missing(keys)
        self.pending = [key for key, new in zip(keys, flags, strict=True) if new]
        return flags

    def commit(self, level: int, indices: list[int]) -> None:
        """The first len(indices) pending keys are stored, with these indices,
        and become the next frontier; the rest were cut off (--max-states)."""
        self.committed = level
        self.added = self.pending[: len(indices)]
        self.visited.add_many(list(zip(self.added, indices, strict=True)))
        self.previous, self.frontier = self.frontier, list(zip(indices, self.added, strict=True))
        self.pending = []

    def rollback(self, level: int) -> None:
        """Undo `level`, the level in progress: its commit too, if this shard
        got that far before the interrupt."""
        if self.committed == level:
            self.visited.remove_many(self.added)
            self.frontier = self.previous
            self.committed = level - 1
        self.pending, self.added = [], []

    def keys(self) -> dict[int, bytes]:
        return {index: key for key, index in self.visited.items()}

    def stored(self) -> int:
        return len(self.visited)

    def bytes_used(self) -> int:
        return self.visited.bytes_used()

    def snapshot(self) -> tuple[list[tuple[bytes, int]], list[int]]:
        """Everything a checkpoint needs of this shard: visited keys with
        their indices, and the frontier's indices."""
        return list(self.visited.items()), [i for i, _ in self.frontier]

    def restore(self, visited: list[tuple[bytes, int]], frontier: list[int]) -> None:
        self.visited.add_many(visited)
        by_index = dict(_swap(visited))
        self.frontier = [(i, by_index[i]) for i in frontier]

    def close(self) -> None:
        self.visited.close()


def _swap(pairs: list[tuple[bytes, int]]) -> Iterator[tuple[int, bytes]]:
    return ((index, key) for key, index in pairs)
