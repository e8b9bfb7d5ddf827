"""`contcheck report`: run the check (or read an earlier run's `--json`) and
write a self-contained `DIR/index.html` with traces, graphs and statistics."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contcheck.checker.input_files import InputError, read_json
from contcheck.checker.itf import LoadedTrace, TraceError, read_trace
from contcheck.model import Bounds, BoundsError, ContinuationModel
from contcheck.reports.document import run_document
from contcheck.reports.document_schema import DocumentError, validate_run_document
from contcheck.reports.graph_export import DrawingError, GraphvizMissing
from contcheck.reports.html_report import report_page
from contcheck.reports.state_space import StateSpace, explore_space
from contcheck.reports.views import LEGENDS, build_view, drawn_view

from .arguments import EXIT_INCOMPLETE, EXIT_OK, bounds_of, fail, semantics
from .check import chosen_properties
from .graph import add_exploration
from .output import check_writable, write_text, write_traces

if TYPE_CHECKING:
    from .arguments import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser("report", help="write an HTML report of a run: DIR/index.html")
    add_exploration(p)
    p.add_argument(
        "--json", type=Path, metavar="FILE", help="report this earlier run of 'check --json'"
    )
    p.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_writable(directories=(args.output,))
    if args.json is not None:
        doc, traces = _read_run(args.json)
        model = ContinuationModel(semantics(doc["semantics"]), _bounds(doc))
        space = explore_space(model, [], args.max_states)  # for the graphs only
    else:
        space = explore_space(
            ContinuationModel(args.semantics, bounds_of(args)),
            chosen_properties(args),
            args.max_states,
        )
        doc, traces = _save_traces(space, args.output / "traces")
    graphs = _graphs(space)
    write_text(args.output / "index.html", report_page(doc, traces, graphs))
    sys.stdout.write(f"{args.output / 'index.html'}\n")
    return EXIT_OK if space.run.exhaustive else EXIT_INCOMPLETE  # the report says it is partial


def _read_run(path: Path) -> tuple[dict[str, Any], dict[str, LoadedTrace]]:
    try:
        doc = validate_run_document(read_json(path))
    except InputError as err:
        fail(f"{path}: {err}")
    except DocumentError as err:
        fail(f"{path} is not a 'contcheck check --json' document: {err}")
    try:
        traces = {
            p["id"]: read_trace(Path(p["trace_file"])) for p in doc["properties"] if p["trace_file"]
        }
    except TraceError as err:
        fail(f"{path}: a trace it names: {err}")
    return doc, traces


def _bounds(doc: dict[str, Any]) -> Bounds:
    try:
        return Bounds(**doc["bounds"])
    except (TypeError, BoundsError) as err:
        fail(f"bad bounds in the run document: {err}")


def _save_traces(
    space: StateSpace, trace_dir: Path
) -> tuple[dict[str, Any], dict[str, LoadedTrace]]:
    files = write_traces(space.run, trace_dir)
    traces = {pid: read_trace(path) for pid, path in files.items()}
    return run_document(space.run, files), traces


def _graphs(space: StateSpace) -> dict[str, str]:
    """The lifecycle and chain graphs; one too large to draw becomes a note."""
    out = {}
    for view, title in (("lifecycle", "Lifecycle of a contref"), ("chains", "Chain shapes")):
        try:
            fragment = drawn_view(build_view(space, view), space, view, view[0])
        except GraphvizMissing as err:
            fail(str(err))
        except DrawingError as err:  # too large: the rest of the report still helps
            fragment = f'<p class="note">Not drawn: {err}.</p>'
        out[title] = f"<p>{LEGENDS[view]}</p>{fragment}"
    if not space.run.exhaustive:
        out["Note"] = f'<p class="note">Graphs are partial ({space.run.stop_reason}).</p>'
    return out
