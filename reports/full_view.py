"""The full view: every reachable state a node, every transition an edge.

A node's label is the store chain and the contrefs off it (stacks named by
`VMStackState`, §2.1); the graph itself comes from the state space's edges.
"""

from __future__ import annotations

import networkx as nx

from contcheck.model import State
from contcheck.model.canonical import decode
from contcheck.model.state import continuation
from contcheck.properties.chains import walk

from .chain_shapes import stack_text
from .state_space import StateSpace


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
