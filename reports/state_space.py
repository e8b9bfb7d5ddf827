"""The reachable state graph: an exploration that keeps every edge, read back
as decoded states and transitions by the views."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from contcheck.checker.explicit import Exploration, Progress, explore
from contcheck.model import Action, ContinuationModel, State, Step
from contcheck.model.canonical import decode
from contcheck.properties import Property


@dataclass
class Edges:
    """Every transition as three parallel arrays (compact for large graphs)."""

    source: array[int] = field(default_factory=lambda: array("i"))
    action: array[int] = field(default_factory=lambda: array("i"))
    target: array[int] = field(default_factory=lambda: array("i"))

    def add(self, source: int, action: int, target: int) -> None:
        self.source.append(source)
        self.action.append(action)
        self.target.append(target)

    def __len__(self) -> int:
        return len(self.source)

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        return zip(self.source, self.action, self.target, strict=True)


@dataclass
class StateSpace:
    run: Exploration
    edges: Edges

    @property
    def model(self) -> ContinuationModel:
        return self.run.model

    def state(self, i: int) -> State:
        return decode(self.run.store.key(i))

    def __len__(self) -> int:
        return len(self.run.store)

    def depth(self, i: int) -> int:
        return self.run.store.depth[i]

    def parent(self, i: int) -> int:
        """The state `i` was first reached from (-1 for an initial state)."""
        return self.run.store.parent[i]

    def index_of(self, state: State) -> int | None:
        """A concrete state's index (by its canonical key), if explored."""
        index = self.run.store.find(self.model.key(state))
        return index if index >= 0 else None

    def transitions(self) -> Iterator[tuple[int, State, Action, Step]]:
        """(source index, source state, action, step) of every edge.

        The step is recomputed on the decoded source, where contref numbers
        are those of the source (the child's canonical numbering differs)."""
        current = -1
        state: State | None = None
        actions: list[Action] = []
        for source, via, _target in self.edges:
            if source != current or state is None:
                current, state = source, self.state(source)
                actions = self.model.actions(state)
            yield source, state, actions[via], self.model.next_state(state, actions[via])


def explore_space(
    model: ContinuationModel,
    properties: list[Property],
    max_states: int | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> StateSpace:
    edges = Edges()
    run = explore(model, properties, max_states, progress, workers, edges=edges.add)
    return StateSpace(run, edges)
