"""Writing a view: GraphML and JSON for tools, DOT and SVG for people.
SVG is laid out by `graphviz-pure` (a Rust port of Graphviz's `dot`
installed from PyPI with the package), so no system Graphviz is needed.
Styles follow the attributes the views set: `status` (I17 coverage),
`steps` (a highlighted trace), `count`; `kinds` (per-instruction counts) is
data for tools."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

import graphviz
import networkx as nx

# Past this, a layout takes minutes and the drawing is unreadable anyway
# (DOT, being text, is written at any size).
DRAW_LIMIT = 1000
# The layout program: PyPI's graphviz-pure, a dependency of the package.
LAYOUT_PROGRAM = "graphviz-pure"
# Big graphs: cap dot's network-simplex and crossing-minimisation passes
# (a 750-state graph takes 5 s instead of a minute; the drawing is as legible).
FAST_LAYOUT = {"nslimit": "2", "nslimit1": "2", "mclimit": "0.3"}
PATH_COLOR = "#1f6feb"


class DrawingError(ValueError):
    """A graph that cannot be drawn here (one line for the user)."""


class GraphvizMissing(DrawingError):
    """The layout program is not installed."""


def write_graphml(graph: nx.Graph, path: Path) -> None:
    """GraphML allows only scalar attributes: anything else becomes text."""
    clean = graph.copy()
    for _, data in clean.nodes(data=True):
        _scalars(data)
    for *_, data in clean.edges(data=True):
        _scalars(data)
    _scalars(clean.graph)
    nx.write_graphml(clean, path)


def _scalars(data: dict[str, Any]) -> None:
    for name, value in list(data.items()):
        if value is None:
            del data[name]
        elif name == "kinds" and isinstance(value, dict):  # one column per instruction
            del data[name]
            data.update({f"count_{k.replace('.', '_')}": n for k, n in value.items()})
        elif not isinstance(value, str | int | float | bool):
            data[name] = str(value)


def graph_json(graph: nx.Graph) -> str:
    return json.dumps(nx.node_link_data(graph, edges="edges"), indent=1, default=str) + "\n"


def drawable(graph: nx.Graph, limit: bool = True) -> nx.DiGraph:
    """One edge per pair of nodes (parallel actions joined), within the
    limit unless `limit` is off (DOT is text)."""
    if limit and graph.number_of_nodes() > DRAW_LIMIT:
        raise DrawingError(
            f"the graph has {graph.number_of_nodes():,} nodes; drawing stops at {DRAW_LIMIT:,}: "
            "use --view lifecycle or --view chains, or --format dot/graphml/json"
        )
    if not isinstance(graph, nx.MultiDiGraph):
        return graph
    joined = nx.DiGraph(**graph.graph)
    joined.add_nodes_from(graph.nodes(data=True))
    for u, v, data in graph.edges(data=True):
        if joined.has_edge(u, v):
            joined.edges[u, v]["labels"].append(data["label"])
        else:
            joined.add_edge(u, v, labels=[data["label"]], steps=data.get("steps"))
    for *_, data in joined.edges(data=True):
        labels = data.pop("labels")
        data["count"] = len(labels)
        data["label"] = labels[0] if len(labels) == 1 else f"{labels[0]} (+{len(labels) - 1})"
    return joined


def node_ids(graph: nx.Graph, prefix: str) -> dict[Any, str]:
    """SVG element ids for the nodes (unique across one HTML page)."""
    return {node: f"{prefix}n{i}" for i, node in enumerate(graph.nodes)}


def to_dot(graph: nx.DiGraph, prefix: str = "g") -> str:
    layout = {"rankdir": "TB", "id": f"{prefix}graph"} | graph.graph.get("layout", {})
    dot = graphviz.Digraph(graph_attr=layout | (FAST_LAYOUT if len(graph) > 100 else {}))
    size = str(graph.graph.get("fontsize", "11"))
    dot.attr("node", shape="box", style="rounded", fontname="Helvetica", fontsize=size)
    dot.attr("edge", fontname="Helvetica", fontsize="9", color="#555555")
    ids = node_ids(graph, prefix)
    for node, data in graph.nodes(data=True):
        dot.node(ids[node], str(data.get("label", node)), id=ids[node], **_node_style(data))
    biggest = max((d.get("count", 1) or 1 for *_, d in graph.edges(data=True)), default=1)
    for i, (u, v, data) in enumerate(graph.edges(data=True)):
        dot.edge(ids[u], ids[v], id=f"{prefix}e{i}", **_edge_style(data, biggest))
    source: str = dot.source
    return source


def _node_style(data: dict[str, Any]) -> dict[str, str]:
    if not data.get("steps"):
        return {}
    return {
        "style": "rounded,filled",
        "fillcolor": "#dbe9ff",
        "color": PATH_COLOR,
        "penwidth": "2.5",
        "xlabel": f"step {data['steps']}",
    }


def _edge_style(data: dict[str, Any], biggest: int) -> dict[str, str]:
    label = str(data.get("label", ""))
    count = data.get("count") or 1
    style = {"label": label, "penwidth": f"{1 + 2 * math.log1p(count) / math.log1p(biggest):.2f}"}
    if data.get("status") == "never taken":
        style.update(style="dashed", color="#999999", fontcolor="#777777", penwidth="1")
    elif data.get("status") == "forbidden":
        style.update(
            color="#d1242f", fontcolor="#d1242f", penwidth="3", label=f"FORBIDDEN: {label}"
        )
    if data.get("steps"):
        style.update(color=PATH_COLOR, fontcolor=PATH_COLOR, penwidth="3.5")
        style["label"] = f"step {data['steps']}: {style['label']}"
    return style


def layout_program() -> str | None:
    """graphviz-pure beside this Python (a virtualenv's bin/), else on PATH."""
    here = Path(sysconfig.get_path("scripts")) / LAYOUT_PROGRAM
    return str(here) if here.is_file() else shutil.which(LAYOUT_PROGRAM)


def to_svg(dot_source: str) -> str:
    """Lay out with graphviz-pure; the SVG element only (no XML prolog), its
    `<title>`s removed (Graphviz's `%3` and node ids are no tooltip)."""
    program = layout_program()
    if program is None:
        raise GraphvizMissing(
            f"the layout program {LAYOUT_PROGRAM!r} is not installed "
            f"(pip install {LAYOUT_PROGRAM}, a dependency of contcheck)"
        )
    done = subprocess.run(
        [program, "-Tsvg"], input=dot_source, capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or "<svg" not in done.stdout:
        raise DrawingError(f"{LAYOUT_PROGRAM} failed: {done.stderr.strip()[:200]!r}")
    svg = done.stdout[done.stdout.index("<svg") :]
    return re.sub(r"<title>.*?</title>\n?", "", svg, flags=re.S)
