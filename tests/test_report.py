"""`contcheck report`: a self-contained HTML page, checked as text and as a
person sees it, in a real headless browser (issue: graphs and an HTML report).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from contcheck import main
from contcheck.checker.itf import state_to_itf
from contcheck.model import Bounds, ContinuationModel, Version
from contcheck.properties import PROPERTIES
from contcheck.reports.state_space import explore_space

TINY = ["--contrefs", "1", "--tags", "1", "--clauses", "1", "--host-depth", "2", "--handles", "1"]
SCREENSHOT = Path("/tmp/contcheck-report.png")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=3000",
]


def report(tmp_path: Path, *extra: str) -> str:
    out = tmp_path / "report"
    assert main(["report", *TINY, *extra, "-o", str(out)]) == 0
    return (out / "index.html").read_text()


def test_report_has_every_part(tmp_path: Path) -> None:
    """Settings, statistics, every property with status and source, each
    counterexample step by step, both graphs, the explorer, and a note on
    how to add `prove` results."""
    page = report(tmp_path, "--semantics", "v44")
    assert "v44 semantics" in page and "contrefs=1, tags=1" in page and "distinct states" in page
    for p in PROPERTIES:
        if 44 in p.versions:
            assert f"<td>{p.id}</td>" in page and p.source.split(";")[0] in page
    assert page.count('class="violated"') >= 3  # v44: S1, S2, S3 (§5.2, §5.3)
    assert 'id="cex-S3"' in page and "step 2: <code>return</code>" in page
    assert 'class="stack st-' in page and "changed field" in page
    assert "Lifecycle of a contref" in page and "Chain shapes" in page
    assert 'class="explorer"' in page and "carries all" in page
    assert "no <code>prove</code> command yet" not in page and "prove --json FILE" in page


def test_violated_property_shows_the_fields_it_reads(tmp_path: Path) -> None:
    """v44 S2 (§5.1, #13298): the stale entry fields did not change when k0
    returned, yet they are what the trap reads; the report shows them at the
    last step, unchanged, naming the returned k0."""
    page = report(tmp_path, "--semantics", "v44")
    s2 = page[page.index('id="cex-S2"') : page.index('id="cex-S3"')]
    reads = s2[s2.index('class="reads-why"') :]
    for field in ("vmctx.entry_sp", "vmctx.entry_trap_handler"):
        row = re.search(rf"<tr class='same'><td>{re.escape(field)}</td>(.*?)</tr>", reads)
        assert row and "<td>k0</td><td>k0</td>" in row.group(1)
        assert "k0 has returned: its frames are gone" in row.group(1)
    changed = s2[s2.rindex('<table class="changes">') : s2.index('class="reads-why"')]
    assert "entry_trap_handler" not in changed  # not a changed field: only the reads show it


def test_svg_ids_are_unique(tmp_path: Path) -> None:
    """Two inline graphs in one page share no element id (issue 20)."""
    ids = re.findall(r'\sid="([^"]+)"', report(tmp_path))
    assert len(ids) > 20 and len(ids) == len(set(ids))


def test_report_is_self_contained(tmp_path: Path) -> None:
    """The page may be opened offline: no external script, style, image or font."""
    page = report(tmp_path)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page


def checked_run(tmp_path: Path, *extra: str) -> Path:
    doc = tmp_path / "run.json"
    argv = ["check", *TINY, "--semantics", "v44", "--trace-dir", str(tmp_path / "t")]
    main([*argv, "--json", str(doc), *extra])
    return doc


def no_exploring(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the report explored the state space again")

    monkeypatch.setattr("contcheck.report.explore_space", refuse)


def test_report_from_earlier_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--json FILE reports an earlier `check --json FILE --graphs` run with its
    traces, graphs and explorer, read from what the run saved: nothing is
    explored again (issue 20)."""
    doc = checked_run(tmp_path, "--graphs")
    assert (tmp_path / "run.graphs.json").exists()
    no_exploring(monkeypatch)
    page = report(tmp_path, "--json", str(doc))
    statuses = {p["id"]: p["status"] for p in json.loads(doc.read_text())["properties"]}
    assert "v44 semantics" in page
    for pid, status in statuses.items():
        if status == "violated":
            assert f'id="cex-{pid}"' in page and f'data-trace="{pid}"' in page
    assert page.count('class="viewer"') == 2 and 'class="explorer"' in page


def test_report_from_json_without_graphs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run saved without --graphs is reported without exploring; the page
    says how to get the graphs."""
    doc = checked_run(tmp_path)
    no_exploring(monkeypatch)
    page = report(tmp_path, "--json", str(doc))
    assert 'id="cex-S2"' in page and 'class="viewer"' not in page
    assert f"contcheck check --json {doc} --graphs" in page


def test_report_from_json_refuses_flags_it_would_ignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json FILE reports the run FILE holds: a bound or semantics other
    than the run's, or --max-states, is refused in one line (exit 2), not
    silently ignored (issue 20: refuse flags a command ignores); the run's
    own bounds are accepted (test_report_from_earlier_json passes them)."""
    doc = checked_run(tmp_path)  # v44, contrefs 1
    for flags in (["--contrefs", "2"], ["--semantics", "v48", "--max-states", "5"]):
        with pytest.raises(SystemExit) as stop:
            main(["report", "--json", str(doc), *flags, "-o", str(tmp_path / "r")])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and err.count("\n") == 1
        assert all(f in err for f in flags if f.startswith("--"))
    assert not (tmp_path / "r").exists()


def test_graphs_need_json(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["check", *TINY, "--graphs"])
    assert stop.value.code == 2 and "--graphs needs --json" in capsys.readouterr().err


def test_prove_results_and_ctis_in_the_report(tmp_path: Path) -> None:
    """`report --prove FILE` shows each verdict of `prove --json` and draws
    every counterexample to induction like a trace step: chains as boxes,
    changed fields, the fields the property reads (issue 20)."""
    proof = tmp_path / "prove.json"
    small = ["--contrefs", "1", "--host-depth", "1", "--handles", "1"]
    argv = ["prove", "--semantics", "v44", *small, "--property", "S2"]
    assert main([*argv, "--json", str(proof), "--trace-dir", str(tmp_path)]) == 1
    rows = {p["id"]: p for p in json.loads(proof.read_text())["properties"]}
    assert rows["S2"]["status"] == "not inductive" and "pre" in rows["S2"]["cti"]
    page = report(tmp_path, "--semantics", "v44", "--prove", str(proof))
    section = page[page.index("Proofs (<code>contcheck prove</code>)") :]
    assert "induction, v44 semantics" in section and "not inductive" in section
    cti = section[section.index('id="cti-0-S2"') :]
    assert 'class="stack st-' in cti and "changed field" in cti
    assert "S2 reads where a trap on the running stack unwinds" in cti
    assert f"step: <code>{rows['S2']['cti']['action']}</code>" in cti


@pytest.mark.parametrize("flag", ["--json", "--prove"])
def test_bad_json_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    for content in (None, "[1, 2]"):
        path = tmp_path / "run.json"
        if content is not None:
            path.write_text(content)
        with pytest.raises(SystemExit) as stop:
            main(["report", *TINY, flag, str(path), "-o", str(tmp_path)])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and err.startswith("contcheck: error: ")
        assert err.count("\n") == 1 and "run.json" in err


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run must install it")
        pytest.skip("chromium is not installed")
    return found


def browse(tmp_path: Path, url: str, *action: str) -> subprocess.CompletedProcess[str]:
    profile = Path(tempfile.mkdtemp(dir=tmp_path, prefix="profile"))  # fresh per run
    argv = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *action, url]
    return subprocess.run(argv, capture_output=True, text=True, timeout=90, check=False)


def test_report_in_a_browser(tmp_path: Path) -> None:
    """Opened in headless chromium: no script errors, both graphs drawn, and
    clicking a node shows its state in the detail panel (the page's own
    #selftest does the click); a screenshot is kept for a person to look at."""
    report(tmp_path, "--semantics", "v44")
    url = (tmp_path / "report" / "index.html").as_uri() + "#selftest"
    dom = browse(tmp_path, url, "--dump-dom")
    result = dumped(dom, "selftest-result")
    assert result["errors"] == [] and result["ok"] is True
    lifecycle, chains = result["viewers"]
    assert lifecycle["nodes"] >= 6 and "transitions out of" in lifecycle["detail"]
    assert chains["nodes"] > 1 and '"stack_chain": "init0"' in chains["detail"]
    shot = tmp_path / "report.png"
    done = browse(tmp_path, url, f"--screenshot={shot}", "--window-size=1400,1000")
    assert shot.exists() and shot.stat().st_size > 20_000, done.stderr[-2000:]
    shutil.copyfile(shot, SCREENSHOT)
    top = tmp_path / "top.png"  # the page as it opens, for a person to look at
    browse(
        tmp_path, url.removesuffix("#selftest"), f"--screenshot={top}", "--window-size=1400,1000"
    )
    if top.exists():
        shutil.copyfile(top, SCREENSHOT.with_name("contcheck-report-top.png"))


def test_explorer_in_a_browser(tmp_path: Path) -> None:
    """Issue 20: the explorer, clicked as a person would in headless chromium
    (the page's #explore-selftest clicks its buttons): the first
    counterexample's states, the initial state's actions (the model's own),
    two steps, back along the path against a pinned one, and a search whose
    count matches the explored states."""
    report(tmp_path, "--semantics", "v44")
    url = (tmp_path / "report" / "index.html").as_uri() + "#explore-selftest"
    seen = dumped(browse(tmp_path, url, "--dump-dom"), "explorer-selftest")
    assert seen["errors"] == []
    # I1 (v44, #13322): host.call, then return leaves the store chain init(dead)
    cex = seen["counterexample"]
    assert seen["trace"] == "I1" and cex["note"].startswith("counterexample I1")
    assert len(cex["path"]) == 3 and "host.call →" in cex["path"][1]
    assert "return →" in cex["path"][2] and "stack_chain=init(dead)" in cex["fields"]
    model = ContinuationModel(Version.V44, Bounds(1, 1, 1, 2, 1))
    init = model.init_states()[0]
    assert seen["initial"]["title"] == "state 0 (depth 0)"
    assert seen["initial"]["actions"] == [str(a) for a in model.actions(init)]
    first = model.next_state(init, model.actions(init)[0]).state
    second = [str(a) for a in model.actions(first)][0]
    assert seen["clicked"] == [str(model.actions(init)[0]), second]
    assert len(seen["stepped"]["path"]) == 3 and seen["stepped"]["title"].endswith("(depth 2)")
    assert seen["back"]["title"] == "state 0 (depth 0)" and len(seen["back"]["path"]) == 1
    differ = re.search(r"\((\d+) differ from pinned state", seen["back"]["compare"])
    assert differ and int(differ.group(1)) > 0
    space = explore_space(model, [])
    itfs = [state_to_itf(space.state(i)) for i in range(len(space))]
    want = sum(s["running"] == "init0" and s["stack_chain"] == "init0" for s in itfs)
    assert seen["search"] == f"{want} of {len(space)} carried states match"
    shot = tmp_path / "explorer.png"
    browse(tmp_path, url, f"--screenshot={shot}", "--window-size=1400,1000")
    if shot.exists():
        shutil.copyfile(shot, SCREENSHOT.with_name("contcheck-explorer.png"))


def dumped(dom: subprocess.CompletedProcess[str], element: str) -> Any:
    """The JSON a page's self-test wrote into `<pre id=element>`."""
    match = re.search(rf'<pre id="{element}">(.*?)</pre>', dom.stdout, re.S)
    assert match, dom.stderr[-2000:]
    text = match.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return json.loads(text)
