"""The three views of a state space, what a click on a node shows in each,
and a view drawn into an interactive HTML viewer."""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

import networkx as nx

from contcheck.checker.itf import LoadedTrace, state_to_itf

from .chain_shapes import chains_graph, instruction_counts
from .explorer import EXPLORER_CSS, EXPLORER_JS, explorer_html
from .full_view import full_graph
from .graph_export import drawable, node_ids, to_dot, to_svg
from .graph_viewer import detail_text, page, viewer
from .lifecycle import lifecycle_graph
from .run_graphs import explorer_data
from .state_space import StateSpace

VIEWS = ("full", "lifecycle", "chains")
# The chain-shape drawing keeps the shapes most states have: more is a hairball.
DRAWN_SHAPES = 16
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


def node_details(
    graph: nx.DiGraph, space: StateSpace | None, view: str
) -> dict[Any, dict[str, str]]:
    """Per node, the title and text of the viewer's detail panel (without a
    state space, chain shapes show the example state saved with them)."""
    out = {}
    for node, data in graph.nodes(data=True):
        if view == "lifecycle":
            out[node] = {"title": str(node), "text": _lifecycle_text(graph, node)}
            continue
        index = node if view == "full" else data["example"]
        saved = data.get("example_state")
        if saved is None:
            if space is None:
                raise ValueError("a state space or saved example states are needed")
            saved = state_to_itf(space.state(index))
        state = detail_text(saved)
        if view == "full":
            title = f"state {index} (depth {data['depth']})"
            text = f"{data['label']}\n\n{CANONICAL_NOTE}\n{state}"
        else:
            title = f"{data['states']} state(s) with this shape"
            moves = "\n".join(
                f"  to {v.replace(chr(10), '; ')}:\n    "
                + instruction_counts(Counter(d["kinds"]), top=99)
                for _, v, d in graph.out_edges(node, data=True)
            )
            text = (
                f"{node}\n\ntransitions out, per instruction:\n{moves or '  none'}\n\n"
                f"example: state {index} {CANONICAL_NOTE}\n{state}"
            )
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


def drawn_view(graph: nx.DiGraph, space: StateSpace | None, view: str, prefix: str) -> str:
    """The viewer HTML for one view (raises DrawingError past the limit)."""
    shown = drawable(busiest_shapes(graph) if view == "chains" else graph)
    svg = to_svg(to_dot(shown, prefix))
    ids = node_ids(shown, prefix)
    details = node_details(shown, space, view)
    hidden = graph.number_of_nodes() - shown.number_of_nodes()
    caption = (
        f"The {shown.number_of_nodes()} shapes most states have, of {graph.number_of_nodes():,} "
        f"({hidden:,} left out; every shape is in the JSON export and the explorer). "
        "Click a shape for its transitions and an example state."
        if hidden
        else ""
    )
    return viewer(svg, {ids[n]: d for n, d in details.items()}, caption)


def busiest_shapes(graph: nx.DiGraph, top: int = DRAWN_SHAPES) -> nx.DiGraph:
    """The `top` shapes most states have (and any on a highlighted trace);
    edges between two shapes without labels or self-loops (their counts are
    in a shape's details), so the shapes can be read at fit."""
    ranked = sorted(graph.nodes(data=True), key=lambda nd: -int(nd[1].get("states", 0)))
    keep = {n for n, _ in ranked[:top]} | {n for n, d in graph.nodes(data=True) if d.get("steps")}
    shown: nx.DiGraph = graph.subgraph(keep).copy()
    shown.remove_edges_from([(u, v) for u, v in shown.edges if u == v])
    for *_, data in shown.edges(data=True):
        data["label"] = ""
    shown.graph["layout"] = {"ranksep": "0.3", "nodesep": "0.2"}
    shown.graph["fontsize"] = "16"
    return shown


LEGENDS = {
    "full": "Each node is one reachable state (canonical form); each edge is one "
    "enabled action. Parallel actions between two states are joined (+n).",
    "lifecycle": "One contref's <code>VMStackState</code> (§2.8). Edge labels count the "
    "transitions the explored runs took, per instruction. Dashed grey: allowed by §4 I17 "
    "but never taken under these bounds (a coverage gap). Red: forbidden by I17.",
    "chains": "Each node is a shape: the store's chain (each activation's, innermost "
    "first, separated by ‖) and every suspended chain, stacks named by their state. "
    "An edge means some instruction leads from one shape to the other (thicker: more "
    "transitions); click a shape for its transitions per instruction.",
}


def legend(view: str, version: int) -> str:
    """The view's legend; v44's lifecycle says why it has no Trapped node."""
    if view == "lifecycle" and version < 48:
        return LEGENDS[view] + (
            " v44 has no <code>Trapped</code> state (§2.8: it comes with v48), so there is no "
            "Trapped node and no edge into it: a trap in a continuation leaves it "
            "<code>Returned</code> (#13028)."
        )
    return LEGENDS[view]


def graph_page(space: StateSpace, graph: nx.DiGraph, view: str, title: str) -> str:
    version = int(space.model.version)
    body = (
        f"<h1>{html.escape(title)}</h1>\n<p>{legend(view, version)} Blue: the highlighted trace, "
        "with its step numbers.</p>\n" + drawn_view(graph, space, view, "g")
    )
    return page(title, body)


def explorer_page(space: StateSpace, trace: LoadedTrace | None, title: str) -> str:
    """The full view as a person uses it: the explorer, not a drawing of
    every state (illegible past a few dozen)."""
    traces = {} if trace is None else {str(trace.meta.get("property", "trace")): trace}
    body = f"<h1>{html.escape(title)}</h1>\n" + explorer_html(explorer_data(space, traces))
    return page(title, body, EXPLORER_CSS, EXPLORER_JS)
