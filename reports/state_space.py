"""The reachable state graph: an exploration that keeps every edge, and the
full graph (nodes = canonical states, edges = actions) as networkx."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

import networkx as nx

from contcheck.checker.bfs import Exploration, Progress, explore
from contcheck.model import Action, ContinuationModel, State, Step
from contcheck.model.canonical import decode
from contcheck.model.state import continuation
from contcheck.properties import Property
from contcheck.properties.chains import walk

from .chain_shapes import stack_text


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
) -> StateSpace:
    edges = Edges()
    run = explore(model, properties, max_states, progress, workers=1, edges=edges.add)
    return StateSpace(run, edges)


def state_summary(state: State) -> str:
    """A node's label: the store chain, then the contrefs off it."""
    members, _ = walk(state, state.stack_chain)
    chain = " → ".join(stack_text(state, link) for link in members)
    others = [
        stack_text(state, continuation(i))
        for i in range(len(state.continuations))
        if continuation(i) not in members
    ]
    return f"{chain}\n{', '.join(others)}" if others else chain


def full_graph(space: StateSpace) -> nx.MultiDiGraph:
    """Nodes are state indices (0 = initial); one edge per enabled action."""
    graph = nx.MultiDiGraph(view="full")
    store = space.run.store
    for i, key in enumerate(store.keys):
        graph.add_node(i, label=state_summary(decode(key)), depth=store.depth[i], key=key.hex())
    current, labels = -1, [""]
    for source, via, target in space.edges:
        if source != current:
            current = source
            labels = [str(a) for a in space.model.actions(space.state(source))]
        graph.add_edge(source, target, key=via, label=labels[via], action=via)
    return graph
