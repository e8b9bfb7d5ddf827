"""The command line: exit codes, the JSON document, traces, bad input (issue: CLI)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from interrupting import ctrl_c_at_first_progress, kill_at_first_progress

from contcheck import main

TINY = ["--contrefs", "1", "--tags", "1", "--clauses", "1", "--host-depth", "2", "--handles", "1"]
TINY_RUN = "v48-contrefs1-tags1-clauses1-host_depth2-handles1"  # the traces' folder


def check(tmp_path: Path, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    doc = tmp_path / "run.json"
    code = main(
        ["check", *TINY, "--trace-dir", str(tmp_path / "traces"), "--json", str(doc), *extra]
    )
    return code, json.loads(doc.read_text())


def test_violation_exits_1_with_stable_document(tmp_path: Path) -> None:
    code, doc = check(tmp_path, "--semantics", "v44")
    assert code == 1
    assert set(doc) >= {"semantics", "bounds", "exhaustive", "stats", "properties"}
    assert doc["semantics"] == "v44" and doc["exhaustive"] is True
    assert doc["bounds"] == {"contrefs": 1, "tags": 1, "clauses": 1, "host_depth": 2, "handles": 1}
    assert set(doc["stats"]) >= {"states", "transitions", "depth", "seconds"}
    by_id = {p["id"]: p for p in doc["properties"]}
    assert by_id["S3"]["status"] == "violated" and by_id["S3"]["trace_length"] == 2
    assert Path(by_id["S3"]["trace_file"]).exists()
    assert by_id["I3"] == {
        **by_id["I3"],
        "status": "holds",
        "trace_length": None,
        "trace_file": None,
    }


def test_holding_properties_exit_0(tmp_path: Path) -> None:
    code, doc = check(tmp_path, "--property", "I1", "I16", "S3")
    assert code == 0 and [p["status"] for p in doc["properties"]] == ["holds"] * 3


def test_stopped_early_exits_3(tmp_path: Path) -> None:
    """A search stopped by --max-states proves nothing: its properties are
    "not violated so far", never "holds" (issue 20)."""
    code, doc = check(tmp_path, "--property", "I3", "--max-states", "5")
    assert code == 3 and doc["exhaustive"] is False and doc["stop_reason"] == "max-states"
    assert doc["properties"][0]["status"] == "not violated so far"


def test_trace_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """check -> ITF trace file -> trace check confirms it; trace show reads it."""
    check(tmp_path, "--semantics", "v44")
    trace = tmp_path / "traces" / TINY_RUN.replace("v48", "v44") / "S2.itf.json"
    doc = json.loads(trace.read_text())
    assert doc["#meta"]["format"] == "ITF" and doc["#meta"]["semantics"] == "v44"
    assert doc["vars"] and all("#meta" in s and "stack_chain" in s for s in doc["states"])
    capsys.readouterr()
    assert main(["trace", "check", str(trace)]) == 0
    assert "S2 is violated" in capsys.readouterr().out
    assert main(["trace", "show", str(trace)]) == 0
    shown = capsys.readouterr().out
    assert "step 1: cont.new" in shown and "[on init0]" in shown and "stack_chain" in shown


def test_tampered_trace_names_first_bad_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check(tmp_path, "--semantics", "v44")
    trace = tmp_path / "traces" / TINY_RUN.replace("v48", "v44") / "S2.itf.json"
    doc = json.loads(trace.read_text())
    doc["states"][2]["stack_chain"] = "k7"
    trace.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["trace", "check", str(trace)]) == 1
    assert "step 2: stack_chain" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ('{"states": []}', "not an ITF trace"),
        ('{"#meta": {"semantics": "v99"}, "states": [{"#meta": {}}]}', "unknown semantics"),
        (
            '{"#meta": {"semantics": "v48", "bounds": {}}, '
            '"states": [{"#meta": {}}, {"#meta": {"action": {"kind": "jump"}}}]}',
            "malformed action",
        ),
    ],
)
def test_bad_trace_file_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(SystemExit) as exit_info:
        main(["trace", "check", str(bad)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--semantics", "v99"],
        ["check", "--contrefs", "-1"],
        ["check", "--tags", "0"],
        ["check", "--property", "I99"],
        ["check", "--max-states", "0"],
        ["check", "--frobnicate"],
        ["trace", "check", "/nonexistent/trace.json"],
    ],
)
def test_bad_usage_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert (
        exit_info.value.code == 2 and err.startswith("contcheck: error:") and err.count("\n") == 1
    )


def test_list_properties(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list-properties"]) == 0
    out = capsys.readouterr().out
    for pid in ("I1", "I23", "I25", "S0", "S1", "S5", "I5", "I20", "I24"):
        assert f"\n{pid} " in f"\n{out}"


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    """`python -m contcheck` is the installed entry point; bad input never
    prints a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "contcheck", "check", "--handles", "99"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--handles must be between" in done.stderr


def test_ctrl_c_reports_what_was_found(tmp_path: Path) -> None:
    """An interrupted run prints its summary, writes its JSON, and exits 3;
    its properties are "not violated so far" (issue 20).  The signal is sent
    once the first progress line reaches the log: the search is running."""
    doc = tmp_path / "run.json"
    argv = ["check", "--contrefs", "4", "--tags", "2", "--property", "I3", "--json", str(doc)]
    code, out, err = ctrl_c_at_first_progress(tmp_path, argv)
    assert "states" in err.splitlines()[0]
    assert code == 3 and "Traceback" not in err
    assert "stopped early (interrupted)" in out
    run = json.loads(doc.read_text())
    assert run["stop_reason"] == "interrupted"
    assert run["properties"][0]["status"] == "not violated so far" and "not violated so far" in out


def test_workers_end_quietly_with_a_parent_killed_outright(tmp_path: Path) -> None:
    """A run killed with SIGKILL (the OOM killer) cannot clean up, but its
    worker processes must not outlive it and print tracebacks into its log
    (Standards: never a traceback).  The log is read to its end, which comes
    when the last worker has exited."""
    argv = ["check", "--semantics", "v44", "--workers", "2", "--trace-dir", str(tmp_path)]
    err = kill_at_first_progress(tmp_path, argv)
    assert "states" in err.splitlines()[0]
    assert "Traceback" not in err and "Error" not in err
