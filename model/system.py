"""The seam between the model and every engine (after stateright's `Model`).

An engine needs only: the initial states, the actions enabled in a state,
the next state of an action, and a canonical key per state.
"""

from __future__ import annotations

from dataclasses import dataclass

from .actions import Action
from .bounds import Bounds
from .canonical import canonical_key, canonical_with_order
from .environment import enabled
from .semantics import Step, initial_state, step
from .state import State, Version


@dataclass(frozen=True)
class ContinuationModel:
    """Wasmtime's continuation runtime under one semantics and one set of bounds."""

    version: Version
    bounds: Bounds
    symmetry: bool = True  # identify states that differ only in contref numbering

    def init_states(self) -> list[State]:
        return [initial_state(self.version)]

    def actions(self, state: State) -> list[Action]:
        return enabled(state, self.bounds, self.version)

    def next_state(self, state: State, action: Action) -> Step:
        return step(state, action, self.version, self.bounds.handles)

    def representative(self, state: State) -> tuple[State, list[int]]:
        """The canonical twin and the contref renumbering that produced it."""
        return canonical_with_order(state, self.symmetry)

    def key(self, state: State) -> bytes:
        return canonical_key(state, self.symmetry)
