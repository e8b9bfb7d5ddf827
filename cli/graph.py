"""`contcheck graph`: the reachable state space, or a quotient of it, as a file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from contcheck.checker.itf import LoadedTrace, TraceError, read_trace
from contcheck.model import ContinuationModel
from contcheck.reports.graph_export import (
    DRAW_LIMIT,
    DrawingError,
    drawable,
    graph_json,
    graphml_text,
    to_dot,
    to_svg,
)
from contcheck.reports.highlight import HighlightError, check_fits, mark, trace_path
from contcheck.reports.state_space import StateSpace, explore_space
from contcheck.reports.views import VIEWS, build_view, explorer_page, graph_page

from .arguments import EXIT_INCOMPLETE, EXIT_OK, add_exploration, bounds_of, fail
from .check import chosen_properties
from .output import check_writable, write_text
from .progress import ProgressLine

if TYPE_CHECKING:
    import networkx as nx

    from .arguments import Subcommands

FORMATS = {".graphml": "graphml", ".dot": "dot", ".gv": "dot", ".json": "json"}
FORMATS |= {".svg": "svg", ".html": "html"}


def register(sub: Subcommands) -> None:
    p = sub.add_parser("graph", help="write the reachable state graph or a quotient of it")
    add_exploration(p, "the output is then partial (exit 3)")
    p.add_argument(
        "--view", choices=VIEWS, default="lifecycle", help="which graph (default: lifecycle)"
    )
    p.add_argument(
        "--format", choices=sorted(set(FORMATS.values())), help="default: from -o's suffix"
    )
    p.add_argument("--highlight", type=Path, metavar="TRACE", help="draw this trace as a path")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    fmt = args.format or FORMATS.get(args.output.suffix)
    if fmt is None:
        fail(f"cannot tell the format from {args.output.name!r}: pass --format")
    if args.max_states is not None and args.max_states < 1:
        fail("--max-states must be at least 1")
    check_writable(args.output)
    trace = _trace(args.highlight)
    if trace is not None:
        try:
            check_fits(ContinuationModel(args.semantics, bounds_of(args)), trace)
        except HighlightError as err:
            fail(str(err))
    # The full view in HTML is the explorer, at any size; SVG is laid out.
    space = explore_for(args, drawing=args.view == "full" and fmt == "svg")
    graph = build_view(space, args.view)
    try:
        if trace is not None:
            mark(graph, trace_path(space, args.view, trace))
        text = _render(graph, space, args.view, fmt, trace)
    except (DrawingError, HighlightError) as err:
        fail(str(err))
    write_text(args.output, text)
    if not space.run.exhaustive:
        sys.stderr.write(f"contcheck: the graph is partial ({space.run.stop_reason})\n")
        return EXIT_INCOMPLETE
    return EXIT_OK


def explore_for(args: argparse.Namespace, drawing: bool = False) -> StateSpace:
    """Explore with every edge kept; a full graph that is to be drawn stops
    as soon as it is too large to draw."""
    model = ContinuationModel(args.semantics, bounds_of(args))
    props = chosen_properties(args)
    limit = args.max_states
    if drawing:  # stop as soon as it is too large to draw
        limit = min(limit or DRAW_LIMIT + 1, DRAW_LIMIT + 1)
    with ProgressLine() as progress:
        space = explore_space(model, props, limit, progress)
    if not drawing:
        return space
    if len(space.run.store) > DRAW_LIMIT:
        fail(
            f"the full graph has more than {DRAW_LIMIT:,} states, too many to draw: "
            "use --view lifecycle or --view chains, or --format dot/graphml/json"
        )
    return space


def _trace(path: Path | None) -> LoadedTrace | None:
    if path is None:
        return None
    try:
        return read_trace(path)
    except TraceError as err:
        fail(f"--highlight {path}: {err}")


def _render(
    graph: nx.DiGraph, space: StateSpace, view: str, fmt: str, trace: LoadedTrace | None
) -> str:
    if fmt == "json":
        return graph_json(graph)
    if fmt == "dot":
        return to_dot(drawable(graph, limit=False))
    if fmt == "svg":
        return to_svg(to_dot(drawable(graph)))
    if fmt == "html":
        model = space.model
        bounds = ", ".join(f"{k}={v}" for k, v in model.bounds.as_dict().items())
        semantics = f"v{int(model.version)} semantics, {bounds}"
        if view == "full":
            return explorer_page(space, trace, f"contcheck explorer, {semantics}")
        return graph_page(space, graph, view, f"contcheck {view} graph, {semantics}")
    return graphml_text(graph)
