"""What the report draws, computed once from a run that kept its edges and
saved beside the run's JSON document (`run.json` -> `run.graphs.json`), so
`report --json` reads it instead of exploring again.

It holds the lifecycle and chain-shape graphs (node-link JSON, each chain
shape with an example state) and the explorer's states: the first
`EXPLORER_STATES` states in breadth-first order (the shallowest) plus every
state on a counterexample, each with its fields and its successors.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from contcheck.checker.itf import Json, LoadedTrace, state_to_itf

from .chain_shapes import chains_graph
from .full_view import state_summary
from .highlight import HighlightError, replay
from .lifecycle import lifecycle_graph
from .state_space import StateSpace
from .trace_html import chains_html

EXPLORER_STATES = 2000
FORMAT = "contcheck-graphs-1"


def graphs_path(run_json: Path) -> Path:
    return run_json.with_name(run_json.stem + ".graphs.json")


def run_graphs(space: StateSpace, traces: dict[str, LoadedTrace]) -> Json:
    chains = chains_graph(space)
    for _, data in chains.nodes(data=True):
        data["example_state"] = state_to_itf(space.state(data["example"]))
    return {
        "format": FORMAT,
        "semantics": f"v{int(space.model.version)}",
        "bounds": space.model.bounds.as_dict(),
        "exhaustive": space.run.exhaustive,
        "stop_reason": space.run.stop_reason,
        "lifecycle": _node_link(lifecycle_graph(space)),
        "chains": _node_link(chains),
        "explorer": explorer_data(space, traces),
    }


def _node_link(graph: nx.DiGraph) -> Json:
    data: Json = nx.node_link_data(graph, edges="edges")
    return data


def graph_of(data: Json) -> nx.DiGraph:
    graph: nx.DiGraph = nx.node_link_graph(data, edges="edges")
    return graph


def explorer_data(space: StateSpace, traces: dict[str, LoadedTrace]) -> Json:
    paths = {pid: _trace_states(space, t) for pid, t in sorted(traces.items())}
    carried = set(range(min(len(space), EXPLORER_STATES)))
    carried |= {i for path in paths.values() for i in path}
    successors: dict[int, list[tuple[int, int]]] = {i: [] for i in carried}
    for source, via, target in space.edges:
        if source in successors:
            successors[source].append((via, target))
    states = {}
    for i in sorted(carried):
        state = space.state(i)
        texts = [str(a) for a in space.model.actions(state)]
        fields = state_to_itf(state)
        states[str(i)] = {
            "depth": space.depth(i),
            "parent": space.parent(i),
            "label": state_summary(state),
            "chains": chains_html(fields, set()),
            "fields": fields,
            "next": [[texts[via], target] for via, target in successors[i]],
        }
    return {"total": len(space), "limit": EXPLORER_STATES, "states": states, "traces": paths}


def _trace_states(space: StateSpace, trace: LoadedTrace) -> list[int]:
    """The explored (canonical) state of every step of a trace."""
    try:
        steps = replay(space.model, trace)
    except HighlightError:
        return []
    states = [space.model.init_states()[0]] + [step.state for _, step in steps]
    found = [space.index_of(s) for s in states]
    return [i for i in found if i is not None]
