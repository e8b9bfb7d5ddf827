"""The chains view: the state graph quotiented onto the shape of the store's
chain (each activation's, §2.2, §2.11) and of the suspended chains (§2.5).

A shape names stacks by their `VMStackState` only, so states that differ in
contref numbering, handles, limits or payloads share a node.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

import networkx as nx

from contcheck.model import State, VMStackState
from contcheck.model.state import ChainKind, Link
from contcheck.properties.chains import active_chains, suspended_heads, walk

if TYPE_CHECKING:
    from .state_space import StateSpace


def stack_text(state: State, link: Link, numbered: bool = True) -> str:
    """`k2 Suspended` (or `Suspended` unnumbered), `init0`, `Absent`."""
    if link.kind != ChainKind.CONTINUATION:
        return str(link)
    name = VMStackState(state.continuations[link.index].state).name.title()
    return f"{link} {name}" if numbered else name


def _chain_text(state: State, members: list[Link], ok: bool) -> str:
    shown = [m for m in members if m.kind != ChainKind.ABSENT] or members
    text = " → ".join(stack_text(state, m, numbered=False) for m in shown)
    return text if ok else text + " → (cycle)"


def chain_shape(state: State) -> str:
    """Two lines: the active chains (innermost activation first), then the
    suspended chains, sorted so that contref order does not matter."""
    active = [_chain_text(state, chain, True) for chain in active_chains(state)]
    suspended = sorted(
        _chain_text(state, *walk(state, Link(ChainKind.CONTINUATION, i)))
        for i in suspended_heads(state)
    )
    store = " ‖ ".join(active) if active else "Absent"
    parked = "  ".join(f"[{s}]" for s in suspended) if suspended else "none"
    return f"store: {store}\nsuspended: {parked}"


def chains_graph(space: StateSpace) -> nx.DiGraph:
    """Nodes are shapes (with how many states have them); an edge counts the
    transitions between two shapes, per instruction."""
    graph = nx.DiGraph(view="chains")
    shapes: list[str] = []
    for i in range(len(space.run.store.keys)):
        shape = chain_shape(space.state(i))
        shapes.append(shape)
        if shape not in graph:
            graph.add_node(shape, label=shape, states=0, example=i)
        graph.nodes[shape]["states"] += 1
    kinds: dict[tuple[str, str], Counter[str]] = {}
    for source, kind, target in edge_kinds(space):
        kinds.setdefault((shapes[source], shapes[target]), Counter())[kind] += 1
    for (u, v), counts in kinds.items():
        graph.add_edge(
            u, v, label=instruction_counts(counts), count=sum(counts.values()), kinds=dict(counts)
        )
    return graph


def edge_kinds(space: StateSpace) -> Iterator[tuple[int, str, int]]:
    """(source, instruction, target) of every edge."""
    current, kinds = -1, [""]
    for source, via, target in space.edges:
        if source != current:  # edges arrive grouped by source
            current = source
            kinds = [a.kind.value for a in space.model.actions(space.state(source))]
        yield source, kinds[via], target


def instruction_counts(counts: Counter[str], top: int = 4, sep: str = ", ") -> str:
    """`resume ×12, switch ×3, +2 more`: the label of a quotient edge (the
    counts themselves are the edge's `kinds`)."""
    common = counts.most_common()
    text = sep.join(f"{kind} ×{n:,}" for kind, n in common[:top])
    return text + (f"{sep}+{len(common) - top} more" if len(common) > top else "")
