"""Canonical keys of concrete states met recently.

Breadth-first search reaches each state about ten times, and many of those
arrivals are the same concrete state (before canonicalisation) from different
parents: remembering its key skips the symmetry computation (about a third as
many key computations at the default bounds).  The cache is dropped whole
when it fills, which bounds its memory.
"""

from __future__ import annotations

from contcheck.model import ContinuationModel, State

LIMIT = 200_000


class KeyCache:
    def __init__(self, model: ContinuationModel) -> None:
        self.model = model
        self.keys: dict[State, bytes] = {}

    def key(self, state: State) -> bytes:
        found = self.keys.get(state)
        if found is None:
            if len(self.keys) >= LIMIT:
                self.keys.clear()
            found = self.keys[state] = self.model.key(state)
        return found
