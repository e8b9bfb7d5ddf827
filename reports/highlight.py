"""A counterexample trace drawn as a path on any view (issue: `--highlight`).

The trace is replayed on the model (its states are concrete: real contref
numbers and revisions) and each step is mapped to the view's nodes and edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx

from contcheck.checker.itf import LoadedTrace
from contcheck.model import ContinuationModel, State, Step

from .chain_shapes import chain_shape
from .lifecycle import step_transitions

if TYPE_CHECKING:
    from .state_space import StateSpace


class HighlightError(ValueError):
    """A trace that cannot be drawn on this graph (one line for the user)."""


@dataclass
class Highlight:
    """The steps (1-based; 0 = initial state) at which the path visits each
    node and takes each edge."""

    nodes: dict[object, list[int]] = field(default_factory=dict)
    edges: dict[tuple[object, object], list[int]] = field(default_factory=dict)

    def visit(self, node: object, step: int) -> None:
        self.nodes.setdefault(node, []).append(step)

    def take(self, u: object, v: object, step: int) -> None:
        self.edges.setdefault((u, v), []).append(step)


def check_fits(model: ContinuationModel, trace: LoadedTrace) -> None:
    """A trace of other semantics or bounds is refused before any exploring."""
    if trace.version != model.version:
        raise HighlightError(
            f"the trace is for v{int(trace.version)} semantics; the graph is for "
            f"v{int(model.version)}: pass --semantics v{int(trace.version)}"
        )
    if trace.bounds != model.bounds:
        flags = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in trace.bounds.as_dict().items())
        raise HighlightError(f"the trace was found with other bounds: pass {flags}")


def replay(model: ContinuationModel, trace: LoadedTrace) -> list[tuple[State, Step]]:
    """(state before, step) per action of the trace, on `model`."""
    check_fits(model, trace)
    state = model.init_states()[0]
    out = []
    for i, action in enumerate(trace.actions, start=1):
        if action not in model.actions(state):
            raise HighlightError(f"step {i} of the trace ('{action}') is not enabled on the model")
        step = model.next_state(state, action)
        out.append((state, step))
        state = step.state
    return out


def trace_path(space: StateSpace, view: str, trace: LoadedTrace) -> Highlight:
    steps = replay(space.model, trace)
    states = [space.model.init_states()[0]] + [s.state for _, s in steps]
    path = Highlight()
    if view == "lifecycle":
        for i, (before, step) in enumerate(steps, start=1):
            for u, v in step_transitions(before, step):
                path.visit(u, i)
                path.visit(v, i)
                path.take(u, v, i)
        return path
    if view == "chains":
        nodes: list[object] = [chain_shape(s) for s in states]
    else:
        nodes = [_state_index(space, s, i) for i, s in enumerate(states)]
    for i, node in enumerate(nodes):
        path.visit(node, i)
        if i:
            path.take(nodes[i - 1], node, i)
    return path


def _state_index(space: StateSpace, state: State, step: int) -> int:
    index = space.run.store.find(space.model.key(state))
    if index < 0:
        raise HighlightError(f"state {step} of the trace is not in the explored graph")
    return index


def mark(graph: nx.DiGraph, path: Highlight) -> None:
    """Record the path as `steps` attributes ("1,2") on nodes and edges."""
    for node, steps in path.nodes.items():
        if node not in graph:
            raise HighlightError(f"the trace visits {node!r}, which is not in this graph")
        graph.nodes[node]["steps"] = _steps_text(steps)
    for (u, v), steps in path.edges.items():
        if not graph.has_edge(u, v):
            raise HighlightError(f"the trace takes {u!r} -> {v!r}, which is not in this graph")
        if isinstance(graph, nx.MultiDiGraph):
            for key in graph[u][v]:
                graph.edges[u, v, key]["steps"] = _steps_text(steps)
        else:
            graph.edges[u, v]["steps"] = _steps_text(steps)


def _steps_text(steps: list[int]) -> str:
    return ",".join(str(s) for s in sorted(set(steps)))
