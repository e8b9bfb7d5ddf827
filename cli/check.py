"""`contcheck check`: explore, summarise, write traces and the JSON document."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from contcheck.checker.itf import read_trace
from contcheck.model import ContinuationModel
from contcheck.properties import PROPERTIES, Property, by_id
from contcheck.reports.document import run_document
from contcheck.reports.run_graphs import graphs_path, run_graphs
from contcheck.reports.state_space import explore_space
from contcheck.reports.summary import render_summary

from .arguments import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_VIOLATED,
    add_exploration,
    add_trace_dir,
    bounds_of,
    check_workers,
    fail,
)
from .distribution import add_distribution, partitioned, search
from .output import check_writable, write_text, write_traces
from .progress import ProgressLine
from .trace_folders import clear_stale, run_folder

if TYPE_CHECKING:
    from .arguments import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser("check", help="explore every reachable state and check the properties")
    add_exploration(p, "what was not violated by then is 'not violated so far'")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the run as a JSON document")
    p.add_argument(
        "--graphs",
        action="store_true",
        help="with --json FILE: keep every transition and save what 'report --json FILE' "
        "draws (graphs, explorer) as FILE's .graphs.json",
    )
    add_trace_dir(p, "<ID>.itf.json")
    p.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        metavar="N",
        help="processes expanding states (default: %(default)s, the cores up to 2)",
    )
    p.add_argument(
        "--exact",
        action="store_true",
        help="store full state keys, not 64-bit fingerprints (about 3x the memory)",
    )
    add_distribution(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    bounds = bounds_of(args)
    props = chosen_properties(args)
    if args.max_states is not None and args.max_states < 1:
        fail("--max-states must be at least 1")
    check_workers(args.workers)
    check_writable(args.json, directories=(args.trace_dir,))
    console = Console(width=None if sys.stdout.isatty() else 110)
    if args.graphs and not args.json:
        fail("--graphs needs --json FILE (the graphs are saved beside it)")
    if args.graphs and partitioned(args):
        fail(
            "--graphs keeps every transition in one process: "
            "leave out --ray, --checkpoint, --resume and --spill"
        )
    model = ContinuationModel(args.semantics, bounds)
    with ProgressLine() as progress:
        if args.graphs:
            space = explore_space(model, props, args.max_states, progress, args.workers)
            result = space.run
        else:
            result = search(model, props, args, progress)
    folder = run_folder(args.trace_dir, args.semantics, bounds)
    clear_stale(folder, [p.id for p in props])
    traces = write_traces(result, folder)
    render_summary(result, traces, console)
    if args.json:
        write_text(args.json, json.dumps(run_document(result, traces), indent=2) + "\n")
    if args.graphs:
        loaded = {pid: read_trace(path) for pid, path in traces.items()}
        saved = json.dumps(run_graphs(space, loaded), separators=(",", ":"))
        write_text(graphs_path(args.json), saved + "\n")
    if result.found:
        return EXIT_VIOLATED
    return EXIT_OK if result.exhaustive else EXIT_INCOMPLETE


def chosen_properties(args: argparse.Namespace) -> list[Property]:
    known = {p.id for p in PROPERTIES}
    unknown = [i for i in args.property or [] if i not in known]
    if unknown:
        fail(f"unknown property {unknown[0]!r} (see 'contcheck list-properties')")
    props = by_id(args.property, args.semantics)
    if not props:
        fail(f"none of {args.property} applies to v{int(args.semantics)} semantics")
    return props
