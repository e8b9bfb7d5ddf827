"""The three views of a state space, what a click on a node shows in each,
and a view drawn into an interactive HTML viewer."""

from __future__ import annotations

import html
from typing import Any

import networkx as nx

from contcheck.checker.itf import state_to_itf

from .chain_shapes import chains_graph
from .full_view import full_graph
from .graph_export import drawable, node_ids, to_dot, to_svg
from .graph_viewer import detail_text, page, viewer
from .lifecycle import lifecycle_graph
from .state_space import StateSpace

VIEWS = ("full", "lifecycle", "chains")
CANONICAL_NOTE = (
    "(canonical form: contrefs renumbered by symmetry, revisions cut to 0/1; "
    "a trace shows the concrete run)"
)


def build_view(space: StateSpace, view: str) -> nx.DiGraph:
    if view == "lifecycle":
        return lifecycle_graph(space)
    if view == "chains":
        return chains_graph(space)
    return full_graph(space)


def node_details(graph: nx.DiGraph, space: StateSpace, view: str) -> dict[Any, dict[str, str]]:
    """Per node, the title and text of the viewer's detail panel."""
    out = {}
    for node, data in graph.nodes(data=True):
        if view == "lifecycle":
            out[node] = {"title": str(node), "text": _lifecycle_text(graph, node)}
            continue
        index = node if view == "full" else data["example"]
        state = detail_text(state_to_itf(space.state(index)))
        if view == "full":
            title = f"state {index} (depth {data['depth']})"
            text = f"{data['label']}\n\n{CANONICAL_NOTE}\n{state}"
        else:
            title = f"{data['states']} state(s) with this shape"
            text = f"{node}\n\nexample: state {index} {CANONICAL_NOTE}\n{state}"
        if data.get("steps"):
            text = f"on the highlighted trace at step {data['steps']}\n\n{text}"
        out[node] = {"title": title, "text": text}
    return out


def _lifecycle_text(graph: nx.DiGraph, node: Any) -> str:
    lines = [f"transitions into {node}:"]
    lines += [_edge_line(u, v, d) for u, v, d in graph.in_edges(node, data=True)] or ["  none"]
    lines.append(f"transitions out of {node}:")
    lines += [_edge_line(u, v, d) for u, v, d in graph.out_edges(node, data=True)] or ["  none"]
    return "\n".join(lines)


def _edge_line(u: Any, v: Any, data: dict[str, Any]) -> str:
    status = data.get("status", "")
    return f"  {u} → {v}: {data['label']}" + (f" [{status}]" if status != "taken" else "")


def drawn_view(graph: nx.DiGraph, space: StateSpace, view: str, prefix: str) -> str:
    """The viewer HTML for one view (raises DrawingError past the limit)."""
    shown = drawable(graph)
    svg = to_svg(to_dot(shown, prefix))
    ids = node_ids(shown, prefix)
    details = node_details(shown, space, view)
    return viewer(svg, {ids[n]: d for n, d in details.items()})


LEGENDS = {
    "full": "Each node is one reachable state (canonical form); each edge is one "
    "enabled action. Parallel actions between two states are joined (+n).",
    "lifecycle": "One contref's <code>VMStackState</code> (§2.8). Edge labels count the "
    "transitions the explored runs took, per instruction. Dashed grey: allowed by §4 I17 "
    "but never taken under these bounds (a coverage gap). Red: forbidden by I17.",
    "chains": "Each node is a shape: the store's chain (each activation's, innermost "
    "first, separated by ‖) and every suspended chain, stacks named by their state. "
    "Edges count the transitions between shapes, per instruction.",
}


def graph_page(space: StateSpace, graph: nx.DiGraph, view: str, title: str) -> str:
    body = (
        f"<h1>{html.escape(title)}</h1>\n<p>{LEGENDS[view]} Blue: the highlighted trace, "
        "with its step numbers.</p>\n" + drawn_view(graph, space, view, "g")
    )
    return page(title, body)
