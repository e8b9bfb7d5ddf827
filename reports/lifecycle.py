"""The lifecycle view: the state graph quotiented onto one contref's
`VMStackState` (§2.8), checked against the transitions §4 I17 allows.

Every state write a step performs (`Event.state_changes`, the record I17's
own check reads) is one transition; a contref that `cont.new` allocates goes
`created → Fresh`.  Edges that I17 allows but no run took are kept, marked
`never taken`, so the picture doubles as coverage.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import networkx as nx

from contcheck.model import State, Step, Version, VMStackState
from contcheck.model.state import ChainKind
from contcheck.properties.transitions import ALLOWED_TRANSITIONS as I17_ALLOWED

from .chain_shapes import instruction_counts

if TYPE_CHECKING:
    from .state_space import StateSpace

CREATED = "created"  # before cont.new: not a VMStackState
TAKEN, NEVER_TAKEN, FORBIDDEN = "taken", "never taken", "forbidden"


def state_names(version: Version) -> list[str]:
    """`Trapped` exists only from v48 on (§2.8)."""
    states = [s for s in VMStackState if version == Version.V48 or s != VMStackState.TRAPPED]
    return [CREATED] + [s.name.title() for s in states]


def allowed(version: Version) -> set[tuple[str, str]]:
    """I17's list (the property's own table), plus allocation by cont.new."""
    names = set(state_names(version))
    pairs = {(a.name.title(), b.name.title()) for a, b in I17_ALLOWED}
    return {p for p in pairs if set(p) <= names} | {(CREATED, "Fresh")}


def step_transitions(before: State, step: Step) -> list[tuple[str, str]]:
    """The contref state transitions of one step, in the order written."""
    out = [
        (VMStackState(old).name.title(), VMStackState(new).name.title())
        for link, old, new in step.event.state_changes
        if link.kind == ChainKind.CONTINUATION
    ]
    created = len(step.state.continuations) - len(before.continuations)
    return [(CREATED, "Fresh")] * created + out


def lifecycle_graph(space: StateSpace) -> nx.DiGraph:
    counts: dict[tuple[str, str], Counter[str]] = {}
    for _source, state, action, step in space.transitions():
        for pair in step_transitions(state, step):
            counts.setdefault(pair, Counter())[action.kind.value] += 1
    return build_lifecycle(space.model.version, counts)


def build_lifecycle(version: Version, counts: dict[tuple[str, str], Counter[str]]) -> nx.DiGraph:
    """Nodes are states; each edge says whether runs took it and I17 allows it."""
    graph = nx.DiGraph(view="lifecycle", layout={"rankdir": "LR", "nodesep": "0.6"})
    for name in state_names(version):
        graph.add_node(name, label=name)
    ok = allowed(version)
    for u, v in sorted(ok | set(counts)):
        kinds = counts.get((u, v), Counter())
        status = FORBIDDEN if (u, v) not in ok else TAKEN if kinds else NEVER_TAKEN
        label = instruction_counts(kinds, top=6, sep="\n") if kinds else NEVER_TAKEN
        graph.add_edge(
            u, v, label=label, count=sum(kinds.values()), kinds=dict(kinds), status=status
        )
    return graph
