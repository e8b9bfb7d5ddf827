"""What results say, as a Wasmtime engineer meets them (issue 20, the command
line): help with ranges, defaults and exit codes; progress in logs; statuses
that say what was searched; traces that ITF tools read and that runs at other
bounds do not overwrite; replay verdicts that say what was compared."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import itf_py
import pytest
from rich.console import Console

from contcheck import main
from contcheck.checker.replay import RELEASES
from contcheck.model import Bounds, ContinuationModel, Version
from contcheck.progress import ProgressLine
from contcheck.properties import by_id
from contcheck.prove_unbounded import violated_per_bound
from contcheck.reports.cti_text import describe_store

TINY = ["--contrefs", "1", "--tags", "1", "--clauses", "1", "--host-depth", "2", "--handles", "1"]
TINY_RUN = "contrefs1-tags1-clauses1-host_depth2-handles1"
ONE = ["--contrefs", "1", "--tags", "1", "--clauses", "1", "--host-depth", "1", "--handles", "2"]


def run_check(tmp_path: Path, *extra: str) -> int:
    return main(["check", *TINY, "--trace-dir", str(tmp_path / "traces"), *extra])


def v44_trace(tmp_path: Path, pid: str) -> Path:
    run_check(tmp_path, "--semantics", "v44")
    return tmp_path / "traces" / f"v44-{TINY_RUN}" / f"{pid}.itf.json"


def test_help_shows_ranges_defaults_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    """Every bound flag names its range and the default in force (fuzz's are
    other than check's); --semantics is a choice list; exit codes are listed;
    graph's and report's own flags name their defaults; replay says what a
    .wast can replay (a gc, §3.11, is forced by allocation)."""
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "0-6 (default: 3)" in text and "1-4 (default: 2)" in text  # contrefs, host depth
    assert (
        "{v44,v48}" in text
        and "exit codes: 0" in text
        and "processes expanding states (default:" in text
    )
    with pytest.raises(SystemExit):
        main(["fuzz", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "0-6 (default: 4)" in text and "1-4 (default: 3)" in text
    with pytest.raises(SystemExit):
        main(["graph", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--max-states N stop after N distinct states (default: no limit)" in text
    assert "which graph (default: lifecycle)" in text
    with pytest.raises(SystemExit):
        main(["replay", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "gc is forced by allocating past a bounded GC heap" in text  # not "cannot"
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.startswith("contcheck ")


def test_progress_in_a_log_is_one_line_per_interval() -> None:
    """Outside a terminal progress is a plain line, at most one per interval:
    a redirected long run is never silent (issue 20)."""
    log = io.StringIO()
    quiet = Console(file=log, force_terminal=False)
    every_call = ProgressLine(quiet, delay=0, interval=0, tick=None)
    every_call.show("1 state")
    every_call.show("2 states")
    assert [line.split("]: ")[1] for line in log.getvalue().splitlines()] == ["1 state", "2 states"]
    log = io.StringIO()
    hourly = ProgressLine(Console(file=log, force_terminal=False), delay=0, interval=3600)
    hourly.show("1 state")
    hourly.show("2 states")
    hourly.close()
    assert log.getvalue().count("\n") == 1 and "1 state" in log.getvalue()


def test_a_long_phase_is_not_silent_in_a_log() -> None:
    """A phase that calls `show` once and then works (a z3 query being
    built) is repeated by the heartbeat every interval, and once the delay
    has passed even if it began before (issue 20: no silent long runs)."""
    log = io.StringIO()
    progress = ProgressLine(
        Console(file=log, force_terminal=False), delay=0.02, interval=0.02, tick=0.01
    )
    progress.show("building the query")  # before the delay: nothing yet
    for _ in range(3000):  # bounded: at most 30 s of ticks
        if log.getvalue().count("building the query") >= 2:
            break
        time.sleep(0.01)
    progress.close()
    after = log.getvalue()
    time.sleep(0.05)
    assert after.count("building the query") >= 2 and log.getvalue() == after  # closed: quiet


def test_traces_of_other_bounds_are_kept_and_stale_ones_removed(tmp_path: Path) -> None:
    """Traces go to a folder per semantics and bounds: a second run at other
    bounds leaves the first run's traces; a rerun removes the trace of a
    property it checked and did not find violated."""
    run_check(tmp_path, "--semantics", "v44")
    first = tmp_path / "traces" / f"v44-{TINY_RUN}" / "S2.itf.json"
    assert first.exists()
    main(["check", *ONE, "--semantics", "v44", "--trace-dir", str(tmp_path / "traces")])
    other = tmp_path / "traces" / "v44-contrefs1-tags1-clauses1-host_depth1-handles2"
    assert (other / "S1.itf.json").exists() and first.exists()
    stale = tmp_path / "traces" / f"v48-{TINY_RUN}" / "I3.itf.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    run_check(tmp_path, "--property", "I3", "S5")
    assert not stale.exists() and (stale.parent / "S5.itf.json").exists()


def test_trace_round_tripped_through_itf_py_is_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """itf-py writes integers as {"#bigint": "0"} (as Apalache and Quint do);
    `trace check` reads every ITF value form, and the bounds from `params`."""
    trace = v44_trace(tmp_path, "S2")
    doc = json.loads(trace.read_text())
    assert doc["params"] == ["bounds"]
    assert all(s["bounds"] == doc["#meta"]["bounds"] for s in doc["states"])
    again = itf_py.trace_to_json(itf_py.trace_from_json(doc))
    del again["#meta"]["bounds"]  # only params say the bounds now
    assert '"#bigint"' in json.dumps(again)
    tool = tmp_path / "itf-py.itf.json"
    tool.write_text(json.dumps(again))
    capsys.readouterr()
    assert main(["trace", "check", str(tool)]) == 0
    assert "S2 is violated" in capsys.readouterr().out


def test_absent_values_have_one_sentinel(tmp_path: Path) -> None:
    """A value that is not there is written "Absent", never "0", "null" or ""."""
    doc = json.loads(v44_trace(tmp_path, "S1").read_text())

    def strings(value: object) -> list[str]:
        if isinstance(value, dict):
            return [s for k, v in value.items() if k != "#meta" for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) else []

    values = [s for state in doc["states"] for s in strings(state)]
    assert "Absent" in values and not {"0", "null", ""} & set(values)


def test_trace_show_prints_values_in_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`trace show`: a field, before and after per change; no Python reprs."""
    trace = v44_trace(tmp_path, "S2")
    capsys.readouterr()
    assert main(["trace", "show", str(trace)]) == 0
    shown = capsys.readouterr().out
    assert "changed field" in shown and "before" in shown and "{'" not in shown
    row = next(line.split() for line in shown.splitlines() if line.strip().startswith("running"))
    assert row == ["running", "init0", "k0"]


def test_to_wast_names_the_pinned_binary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The printed command runs the pinned release's binary, not `wasmtime` on PATH."""
    trace = v44_trace(tmp_path, "S1")
    capsys.readouterr()
    assert main(["trace", "to-wast", str(trace), "-o", str(tmp_path / "s1.wast")]) == 0
    command = capsys.readouterr().out.splitlines()[-1].split("with: ")[1]
    binary = Path(command.split()[0])
    assert binary.is_absolute() and binary.exists() and RELEASES[Version.V44] in str(binary)


def test_bmc_says_how_deep_it_looked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """BMC finding nothing is "no violation up to depth K", never "holds"."""
    doc = tmp_path / "bmc.json"
    argv = ["prove", "--engine", "bmc", *ONE, "--depth", "2", "--property", "I3"]
    assert main([*argv, "--trace-dir", str(tmp_path), "--json", str(doc)]) == 0
    assert json.loads(doc.read_text())["properties"][0]["status"] == "no violation up to depth 2"
    assert "I3    no violation up to depth 2" in capsys.readouterr().out


def test_induction_says_what_proved_assumes(capsys: pytest.CaptureFixture[str]) -> None:
    """Every consecution assumes S0 in the pre-store; S0 is not inductive, so
    the output says why a "proved" is still sound (a faulted store has no
    successors)."""
    assert main(["prove", *ONE, "--property", "I13"]) == 0
    out = capsys.readouterr().out
    assert "assumes S0" in out and "no successors" in out


def test_induction_names_a_lemma_it_could_not_prove(capsys: pytest.CaptureFixture[str]) -> None:
    """Every consecution also assumes the lemmas; under v44 lemma L4 (an
    idle store has no activation) is not inductive (a host.rethrow CTI,
    §3.9), so the "proved" I3 rests on it and the output names it among
    the assumptions not proved in this run."""
    assert main(["prove", *ONE, "--semantics", "v44", "--property", "I3"]) == 1
    out = capsys.readouterr().out
    assert "L4    not inductive" in out and "I3    proved" in out
    unproved = next(line for line in out.splitlines() if "not proved in this run" in line)
    assert "L4" in unproved.split(": ")[1].split(", ")


def test_cti_pre_store_is_in_the_model_names() -> None:
    """A counterexample to induction prints its pre-store in the names a
    trace uses (§2.8 states, §2.4 limits naming stacks, tags `e0`), not the
    encoding's codes (`stack -1`, `last_ancestor=0`, `handlers=[0]`, `FRESH`)."""
    model = ContinuationModel(Version.V48, Bounds(1, 1, 1, 1, 2))
    state, shown = model.init_states()[0], []
    for text in ("cont.new", "resume k0@0 (on e0)", "suspend e0"):
        action = next(a for a in model.actions(state) if str(a) == text)
        state = model.next_state(state, action).state
        shown.append("\n".join(describe_store(state)))
    fresh, resumed, suspended = shown
    assert "k0: Fresh parent=Absent last_ancestor=k0 " in fresh
    assert "init0: Parent handlers=[e0] limits=(limit host stack, fp init0" in resumed
    assert "k0: Suspended parent=Absent last_ancestor=k0 " in suspended
    assert "limits=(limit stack of k0, fp k0, sp k0, trap k0)" in suspended
    assert "live limits: (limit host stack, fp init0, sp init0, trap init0); handles [k0@1]" in (
        suspended
    )


def test_unbounded_names_what_the_explicit_model_violates() -> None:
    """S0 and S5 are not "proved per bound": the explicit v48 model violates
    them (the GC panic, #14239) in 4 steps; I10 it does not."""
    props = by_id(["S0", "S5", "I10"], Version.V48)
    assert violated_per_bound(props) == {"S0": 4, "S5": 4}


def test_native_replay_says_what_it_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Greenlet stacks switch correctly: a v44 counterexample differs at its
    defect (S1, #13028: the trap comes back as a return), and the verdict
    says so, an empty chain or no trap as "none"; flags native replay
    ignores are refused."""
    trace = v44_trace(tmp_path, "S1")
    capsys.readouterr()
    assert main(["replay", str(trace), "--on", "native"]) == 1
    out = capsys.readouterr().out
    assert "v44's defect shows" in out and "chain: stacks none, model init0" in out
    assert "k0: stacks Trapped, model Returned" in out
    assert "instruction executed', model none" in out
    for flag, value in (("--semantics", "v48"), ("--release", "49.0.4")):
        with pytest.raises(SystemExit) as stop:
            main(["replay", str(trace), "--on", "native", flag, value])
        assert stop.value.code == 2 and "wasmtime only" in capsys.readouterr().err


def test_undefined_behaviour_against_a_clean_trap_is_not_agreement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The v44 model predicts undefined behaviour for S2 (#13298); 49.0.4
    traps cleanly: its own outcome (exit 3), not "agree"; 44.0.0 crashes (exit 0)."""
    trace = str(v44_trace(tmp_path, "S2"))
    capsys.readouterr()
    argv = ["replay", trace, "--on", "wasmtime", "--release", "49.0.4", "--semantics", "v44"]
    assert main(argv) == 3
    out = capsys.readouterr().out
    assert "the model predicts undefined behaviour; the runtime trapped cleanly" in out
    assert "unreachable   agree" not in out
    assert main(["replay", trace, "--on", "wasmtime"]) == 0
    assert "the runtime crashed where the model predicts undefined behaviour" in (
        capsys.readouterr().out
    )


def test_pdr_budget_is_resource_units_and_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17/20, PDR: the budget is z3's rlimit per property, not seconds,
    so the verdict does not depend on the machine's load; a budget too small
    for Spacer leaves the property unknown, says so, and the run ends (exit
    3) with the budget in its output and JSON."""
    doc = tmp_path / "pdr.json"
    argv = ["prove", "--engine", "pdr", *ONE, "--property", "I13", "--budget", "1000"]
    assert main([*argv, "--json", str(doc)]) == 3
    data = json.loads(doc.read_text())
    row = data["properties"][0]
    assert row["status"] == "unknown" and "budget spent (1,000 z3 resource units)" in row["reason"]
    assert data["budget"] == 1000
    assert "budget per property: 1,000 z3 resource units" in capsys.readouterr().out
