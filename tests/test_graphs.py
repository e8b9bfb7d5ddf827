"""Graphs of the reachable state space (issue: graphs and an HTML report).

The lifecycle view is judged against spec §4 I17's list of transitions; the
chains view against the chain structures of §2.2 and §2.5.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from contcheck import main
from contcheck.checker.explicit.bfs import explore
from contcheck.model import Bounds, ContinuationModel, Version
from contcheck.reports.chain_shapes import chain_shape, chains_graph
from contcheck.reports.graph_export import PATH_COLOR, to_dot
from contcheck.reports.lifecycle import (
    FORBIDDEN,
    NEVER_TAKEN,
    TAKEN,
    build_lifecycle,
    lifecycle_graph,
)
from contcheck.reports.state_space import explore_space

TINY = ["--contrefs", "1", "--tags", "1", "--clauses", "1", "--host-depth", "1", "--handles", "1"]
TINY_RUN = "v48-contrefs1-tags1-clauses1-host_depth1-handles1"  # check's traces folder
SMALL = Bounds(2, 1, 1, 1, 1)


def graph_cli(tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    assert main(["graph", *TINY, *extra, "-o", str(out)]) == 0
    return out


def test_recorded_edges_are_every_transition() -> None:
    """The opt-in edge sink sees every transition; the search itself is unchanged."""
    model = ContinuationModel(Version.V48, SMALL)
    space = explore_space(model, [])
    plain = explore(model, [])
    assert len(space.edges) == space.run.stats.transitions == plain.stats.transitions
    assert space.run.store.keys == plain.store.keys
    assert all(0 <= t < len(space.run.store.keys) for _, _, t in space.edges)


def test_lifecycle_is_i17_and_marks_coverage() -> None:
    """§4 I17: every transition taken is allowed; allowed ones not taken are kept
    as coverage gaps (with one contref nothing can be Parent)."""
    space = explore_space(ContinuationModel(Version.V48, Bounds(1, 1, 1, 1, 1)), [])
    graph = lifecycle_graph(space)
    status = {(u, v): d["status"] for u, v, d in graph.edges(data=True)}
    assert FORBIDDEN not in status.values()
    assert status[("created", "Fresh")] == TAKEN
    assert status[("Fresh", "Trapped")] == TAKEN  # v48: resume_throw on a Fresh contref
    assert status[("Running", "Parent")] == NEVER_TAKEN
    assert "cont.new ×" in graph.edges["created", "Fresh"]["label"]


def test_v44_has_no_trapped_state() -> None:
    """§2.8: Trapped exists from v48 on."""
    space = explore_space(ContinuationModel(Version.V44, Bounds(1, 1, 1, 1, 1)), [])
    assert "Trapped" not in lifecycle_graph(space)


def test_forbidden_transitions_are_red_and_gaps_dashed() -> None:
    """A transition I17 forbids is drawn red; one it allows but no run took, dashed."""
    graph = build_lifecycle(Version.V48, {("Returned", "Running"): Counter(resume=2)})
    assert graph.edges["Returned", "Running"]["status"] == FORBIDDEN
    dot = to_dot(graph)
    assert "#d1242f" in dot and "FORBIDDEN: resume ×2" in dot and "dashed" in dot


def test_chain_shapes_quotient() -> None:
    """§2.2/§2.5: states group by the shape of the store chain and suspended chains."""
    space = explore_space(ContinuationModel(Version.V48, SMALL), [])
    graph = chains_graph(space)
    assert chain_shape(space.state(0)) == "store: init0\nsuspended: none"
    assert sum(d["states"] for _, d in graph.nodes(data=True)) == len(space.run.store.keys)
    assert any("[Suspended]" in n for n in graph)
    assert any("Running → Parent → init0" in n for n in graph)


def test_machine_readable_formats(tmp_path: Path) -> None:
    """GraphML and JSON of the full graph: nodes = states, edges = actions."""
    graphml = nx.read_graphml(graph_cli(tmp_path, "f.graphml", "--view", "full"))
    doc = json.loads(graph_cli(tmp_path, "f.json", "--view", "full").read_text())
    assert graphml.number_of_nodes() == len(doc["nodes"]) > 10
    assert len(doc["edges"]) > len(doc["nodes"])
    assert {"label", "depth", "key"} <= set(doc["nodes"][0])
    assert doc["edges"][0]["label"]


@pytest.mark.parametrize("view", ["full", "lifecycle", "chains"])
def test_drawn_formats(tmp_path: Path, view: str) -> None:
    """SVG laid out by graphviz-pure (no system Graphviz); HTML inlines
    everything (no network); no Graphviz `%3` or node-id titles as tooltips."""
    svg = graph_cli(tmp_path, "g.svg", "--view", view).read_text()
    assert svg.startswith("<svg") and 'class="node"' in svg
    assert "<title>" not in svg and "%3" not in svg
    page = graph_cli(tmp_path, "g.html", "--view", view).read_text()
    shown = 'class="explorer"' if view == "full" else "<svg"  # the full view is explored
    assert shown in page and "selftest" in page
    assert 'src="http' not in page and "<link" not in page and "@import" not in page
    assert "digraph" in graph_cli(tmp_path, "g.dot", "--view", view).read_text()


@pytest.mark.parametrize("view", ["full", "lifecycle", "chains"])
def test_highlight_draws_the_trace(tmp_path: Path, view: str) -> None:
    """--highlight TRACE: the counterexample is a blue path with step numbers."""
    traces = tmp_path / "traces"
    main(["check", *TINY, "--semantics", "v48", "--trace-dir", str(traces)])
    trace = traces / TINY_RUN / "S5.itf.json"
    out = graph_cli(
        tmp_path, "h.dot", "--semantics", "v48", "--view", view, "--highlight", str(trace)
    )
    dot = out.read_text()
    assert PATH_COLOR in dot and "step 1" in dot


def one_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    lines = capsys.readouterr().err.splitlines()
    errors = [line for line in lines if not line.startswith("contcheck [")]  # not progress
    assert stop.value.code == 2 and len(errors) == 1 and errors[0].startswith("contcheck: error: ")
    return errors[0] + "\n"


def test_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "x.svg")
    assert "no.json" in one_error(capsys, ["graph", *TINY, "--highlight", "no.json", "-o", out])
    assert "--view" in one_error(capsys, ["graph", "--view", "nope", "-o", out])
    assert "--format" in one_error(capsys, ["graph", "--format", "png", "-o", out])
    assert "--format" in one_error(capsys, ["graph", *TINY, "-o", str(tmp_path / "x.png")])


def test_trace_of_other_bounds_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused before exploring (issue 20): the exploration is never started."""
    main(["check", *TINY, "--trace-dir", str(tmp_path)])

    def no_exploring(*_: object, **__: object) -> None:
        raise AssertionError("explored before refusing the trace")

    monkeypatch.setattr("contcheck.graph.explore_space", no_exploring)
    other = ["--contrefs", "2", "--host-depth", "1", "--handles", "1"]
    trace = str(tmp_path / TINY_RUN / "S5.itf.json")
    err = one_error(capsys, ["graph", *other, "--highlight", trace, "-o", str(tmp_path / "x.dot")])
    assert "--contrefs 1" in err


def test_too_large_to_draw_but_dot_is_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Laying out the full graph past the limit points to the quotient views;
    DOT is text and is written at any size (issue 20)."""
    flags = ["--contrefs", "2", "--host-depth", "2", "--handles", "1", "--view", "full"]
    err = one_error(capsys, ["graph", *flags, "-o", str(tmp_path / "x.svg")])
    assert "--view lifecycle" in err
    assert main(["graph", *flags, "-o", str(tmp_path / "x.dot")]) == 0
    dot = (tmp_path / "x.dot").read_text()
    assert len(re.findall(r"^\s*gn\d+ \[", dot, re.M)) == 2791  # every state
    assert main(["graph", *flags, "-o", str(tmp_path / "x.html")]) == 0  # the explorer
    assert "carries 2,000 of 2,791 states" in (tmp_path / "x.html").read_text()


def test_per_action_counts_are_data(tmp_path: Path) -> None:
    """Machine-readable exports carry every instruction's count, not a label
    cut at "+n more" (issue 20)."""
    flags = ["--contrefs", "2", "--host-depth", "2", "--view", "chains"]
    doc = json.loads(graph_cli(tmp_path, "c.json", *flags).read_text())
    assert all(sum(e["kinds"].values()) == e["count"] for e in doc["edges"])
    cut = [e for e in doc["edges"] if "more" in e["label"]]
    assert cut and all(len(e["kinds"]) > 4 for e in cut)
    graphml = nx.read_graphml(graph_cli(tmp_path, "c.graphml", *flags))
    for *_, data in graphml.edges(data=True):
        counts = [n for k, n in data.items() if k.startswith("count_")]
        assert sum(counts) == data["count"]


def test_missing_layout_program_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("contcheck.reports.graph_export.LAYOUT_PROGRAM", "no-such-layout")
    monkeypatch.setenv("PATH", str(tmp_path))
    err = one_error(capsys, ["graph", *TINY, "-o", str(tmp_path / "x.svg")])
    assert "no-such-layout" in err and "Traceback" not in err
