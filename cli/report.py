"""`contcheck report`: run the check (or read an earlier run's `--json` and
the graphs `check --json FILE --graphs` saved with it) and write a
self-contained `DIR/index.html` with traces, graphs, the explorer and
statistics, plus any `prove --json` results."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contcheck.checker.input_files import InputError, read_json
from contcheck.checker.itf import Json, LoadedTrace, TraceError, read_trace
from contcheck.model import ContinuationModel
from contcheck.reports.document import run_document
from contcheck.reports.document_schema import DocumentError, validate_run_document
from contcheck.reports.explorer import explorer_html
from contcheck.reports.graph_export import DrawingError, GraphvizMissing
from contcheck.reports.html_report import report_page
from contcheck.reports.run_graphs import FORMAT, graph_of, graphs_path, run_graphs
from contcheck.reports.state_space import StateSpace, explore_space
from contcheck.reports.views import drawn_view, legend

from .arguments import EXIT_INCOMPLETE, EXIT_OK, add_exploration, bounds_of, fail
from .check import chosen_properties
from .output import check_writable, write_text, write_traces
from .progress import ProgressLine

if TYPE_CHECKING:
    from .arguments import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser("report", help="write an HTML report of a run: DIR/index.html")
    add_exploration(p, "the report is then partial (exit 3)")
    p.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="report this earlier run of 'check --json' (its graphs: 'check --json FILE --graphs')",
    )
    p.add_argument(
        "--prove", type=Path, nargs="+", metavar="FILE", help="add these 'prove --json' results"
    )
    p.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_writable(directories=(args.output,))
    proofs = [_read_proof(path) for path in args.prove or []]
    if args.json is not None:
        doc, traces = _read_run(args.json)
        _refuse_another_run(args, doc)
        saved = _read_graphs(graphs_path(args.json))
    else:
        with ProgressLine() as progress:
            space = explore_space(
                ContinuationModel(args.semantics, bounds_of(args)),
                chosen_properties(args),
                args.max_states,
                progress,
                workers=min(2, os.cpu_count() or 1),  # as check; the same states and edges
            )
        doc, traces = _save_traces(space, args.output / "traces")
        saved = run_graphs(space, traces)
    with ProgressLine() as progress:
        progress.show("laying out the graphs")
        graphs, explorer = _drawn(saved, args.json)
    page = report_page(doc, traces, graphs, explorer, proofs)
    write_text(args.output / "index.html", page)
    sys.stdout.write(f"{args.output / 'index.html'}\n")
    exhaustive = bool(doc["exhaustive"])
    return EXIT_OK if exhaustive else EXIT_INCOMPLETE  # the report says it is partial


def _refuse_another_run(args: argparse.Namespace, doc: dict[str, Any]) -> None:
    """--json FILE reports the run FILE holds: a flag given for another run
    (a value the run does not hold) would be silently ignored, so it is
    refused."""
    held = {"semantics": doc["semantics"], **doc["bounds"]}
    asked = {k: getattr(args, k) for k in held} | {"semantics": f"v{int(args.semantics)}"}
    given: frozenset[str] = getattr(args, "given", frozenset())
    other = [k for k in held if k in given and asked[k] != held[k]]
    ids = sorted(str(p["id"]) for p in doc["properties"])
    other += ["property"] if args.property is not None and sorted(args.property) != ids else []
    other += ["max_states"] if args.max_states is not None else []  # nothing is explored
    if other:
        flags = ", ".join("--" + k.replace("_", "-") for k in other)
        fail(
            f"{flags}: {args.json} holds a run of {_run_name(held)} and is reported as it is;"
            " choose these when running 'check --json FILE --graphs'"
        )


def _run_name(held: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in held.items())


def _read_json(path: Path) -> Any:
    try:
        return read_json(path)
    except InputError as err:
        fail(f"{path}: {err}")


def _read_proof(path: Path) -> Json:
    doc = _read_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("properties"), list):
        fail(f"{path} is not a 'contcheck prove --json' document")
    return doc


def _read_run(path: Path) -> tuple[dict[str, Any], dict[str, LoadedTrace]]:
    try:
        doc = validate_run_document(_read_json(path))
    except DocumentError as err:
        fail(f"{path} is not a 'contcheck check --json' document: {err}")
    try:
        traces = {
            p["id"]: read_trace(Path(p["trace_file"])) for p in doc["properties"] if p["trace_file"]
        }
    except TraceError as err:
        fail(f"{path}: a trace it names: {err}")
    return doc, traces


def _read_graphs(path: Path) -> Json | None:
    """The graphs saved with a run (None when it saved none)."""
    if not path.exists():
        return None
    data = _read_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        fail(f"{path} is not a graphs file of 'contcheck check --json FILE --graphs'")
    return data


def _save_traces(
    space: StateSpace, trace_dir: Path
) -> tuple[dict[str, Any], dict[str, LoadedTrace]]:
    files = write_traces(space.run, trace_dir)
    traces = {pid: read_trace(path) for pid, path in files.items()}
    return run_document(space.run, files), traces


def _drawn(saved: Json | None, run_json: Path | None) -> tuple[dict[str, str], str]:
    """The lifecycle and chain graphs and the explorer, or notes saying why not."""
    if saved is None:
        note = (
            f'<p class="note">Not in this report: the run {run_json} saved no graphs. Run '
            f"<code>contcheck check --json {run_json} --graphs</code> (it keeps every "
            "transition) or <code>contcheck report</code> without <code>--json</code>.</p>"
        )
        return {"Graphs": note}, note
    version = int(str(saved["semantics"]).removeprefix("v"))
    out = {}
    for view, title in (("lifecycle", "Lifecycle of a contref"), ("chains", "Chain shapes")):
        try:
            fragment = drawn_view(graph_of(saved[view]), None, view, view[0])
        except GraphvizMissing as err:
            fail(str(err))
        except DrawingError as err:  # too large: the rest of the report still helps
            fragment = f'<p class="note">Not drawn: {err}.</p>'
        out[title] = f"<p>{legend(view, version)}</p>{fragment}"
    if not saved["exhaustive"]:
        out["Note"] = f'<p class="note">Graphs are partial ({saved["stop_reason"]}).</p>'
    return out, explorer_html(saved["explorer"])
