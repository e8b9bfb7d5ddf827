"""`contcheck report`: a self-contained HTML page, checked as text and as a
person sees it, in a real headless browser (issue: graphs and an HTML report).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from contcheck import main
from contcheck.properties import PROPERTIES

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
    counterexample step by step, both graphs, and the note on `prove`."""
    page = report(tmp_path, "--semantics", "v44")
    assert "v44 semantics" in page and "contrefs=1, tags=1" in page and "distinct states" in page
    for p in PROPERTIES:
        if 44 in p.versions:
            assert f"<td>{p.id}</td>" in page and p.source.split(";")[0] in page
    assert page.count('class="violated"') >= 3  # v44: S1, S2, S3 (§5.2, §5.3)
    assert 'id="cex-S3"' in page and "step 2: <code>return</code>" in page
    assert 'class="stack st-' in page and "changed field" in page
    assert "Lifecycle of a contref" in page and "Chain shapes" in page
    assert "no <code>prove</code> command yet" in page


def test_report_is_self_contained(tmp_path: Path) -> None:
    """The page may be opened offline: no external script, style, image or font."""
    page = report(tmp_path)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page


def test_report_from_earlier_json(tmp_path: Path) -> None:
    """--json FILE reports an earlier `check --json` run with its traces."""
    doc = tmp_path / "run.json"
    main(
        [
            "check",
            *TINY,
            "--semantics",
            "v44",
            "--trace-dir",
            str(tmp_path / "t"),
            "--json",
            str(doc),
        ]
    )
    page = report(tmp_path, "--json", str(doc))
    statuses = {p["id"]: p["status"] for p in json.loads(doc.read_text())["properties"]}
    assert "v44 semantics" in page
    for pid, status in statuses.items():
        if status == "violated":
            assert f'id="cex-{pid}"' in page


def test_bad_json_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["report", "--json", str(tmp_path / "none.json"), "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.startswith("contcheck: error: ") and err.count("\n") == 1


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run must install it")
        pytest.skip("chromium is not installed")
    return found


def browse(tmp_path: Path, url: str, *action: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    argv = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *action, url]
    return subprocess.run(argv, capture_output=True, text=True, timeout=90, check=False)


def test_report_in_a_browser(tmp_path: Path) -> None:
    """Opened in headless chromium: no script errors, both graphs drawn, and
    clicking a node shows its state in the detail panel (the page's own
    #selftest does the click); a screenshot is kept for a person to look at."""
    report(tmp_path, "--semantics", "v44")
    url = (tmp_path / "report" / "index.html").as_uri() + "#selftest"
    dom = browse(tmp_path, url, "--dump-dom")
    match = re.search(r'<pre id="selftest-result">(.*?)</pre>', dom.stdout, re.S)
    assert match, dom.stderr[-2000:]
    result = json.loads(
        match.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    )
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
