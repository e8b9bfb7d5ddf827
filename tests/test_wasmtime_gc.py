"""GC on the real Wasmtime (issue 18, #14239, §3.11): a program's `gc` is
garbage past a bounded GC heap, which starts a collection; while a
continuation is suspended the collection panics where the model predicts
(S0/S5), on 49.0.4 and on 44.0.0, and with nothing suspended it is fine."""

from __future__ import annotations

from pathlib import Path

import pytest

from contcheck import main
from contcheck.checker.explicit.tracefile import write_run
from contcheck.checker.replay import Plan, Tally, excluded_kinds, run_campaign, wasmtime_binary
from contcheck.checker.replay.wasmtime_replay import Verdict, make_program, run_batch
from contcheck.model import Action, Bounds, ContinuationModel, Kind, Version
from contcheck.model.state import Handle

BOUNDS = Bounds(contrefs=2, tags=1, clauses=1, host_depth=1, handles=2)
RELEASE = {Version.V48: "49.0.4", Version.V44: "44.0.0"}
PANIC = {
    Version.V48: "panic at backtrace.rs:340: expected one more VMStackLimits than continuations",
    Version.V44: "panic at backtrace.rs:343: assertion `left == right` failed",
}
SUSPENDED = [
    Action(Kind.CONT_NEW),
    Action(Kind.RESUME, Handle(0, 0), suspend_tags=(0,)),
    Action(Kind.SUSPEND, tag=0),
]


def verdicts(version: Version, runs: list[list[Action]]) -> list[Verdict]:
    model, release = ContinuationModel(version, BOUNDS), RELEASE[version]
    programs = [make_program(model, actions, n, release) for n, actions in enumerate(runs)]
    return [run_batch(wasmtime_binary(release), release, [p])[0] for p in programs]


@pytest.mark.parametrize("version", [Version.V48, Version.V44])
def test_gc_with_a_suspended_continuation_panics_as_predicted(version: Version) -> None:
    """S0/S5's counterexample `cont.new; resume (on e0); suspend e0; gc`, with
    the gc in wasm and with it between calls (`invoke "gc"`): the model
    predicts the panic, the release panics at its backtrace.rs line, and the
    events before it are the predicted ones."""
    between = [*SUSPENDED, Action(Kind.RETURN), Action(Kind.GC)]
    for verdict in verdicts(version, [[*SUSPENDED, Action(Kind.GC)], between]):
        assert verdict.agree and "GC root tracing of k0 panics" in verdict.undefined
        assert verdict.observed == f"the process died ({PANIC[version]})"


@pytest.mark.parametrize("version", [Version.V48, Version.V44])
def test_gc_with_nothing_suspended_is_fine(version: Version) -> None:
    """With every continuation returned, collections in wasm and between
    calls change nothing: the run returns as the model says."""
    returned = [
        Action(Kind.CONT_NEW),
        Action(Kind.GC),
        Action(Kind.RESUME, Handle(0, 0)),
        Action(Kind.GC),
        Action(Kind.RETURN),
        Action(Kind.GC),
        Action(Kind.RETURN),
        Action(Kind.GC),
    ]
    (verdict,) = verdicts(version, [returned])
    assert verdict.agree and not verdict.undefined and verdict.observed == ""


def test_replay_command_shows_the_panic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`contcheck replay` of the counterexample names the panic Wasmtime shows."""
    model = ContinuationModel(Version.V48, BOUNDS)
    trace = write_run(tmp_path / "s0.json", model, [*SUSPENDED, Action(Kind.GC)])
    assert main(["replay", str(trace), "--on", "wasmtime"]) == 0
    assert PANIC[Version.V48] in capsys.readouterr().out


def test_campaigns_on_wasmtime_include_gc() -> None:
    """gc is fuzzed on Wasmtime: a seeded campaign draws it and agrees."""
    assert Kind.GC not in excluded_kinds("wasmtime")
    plan = Plan(ContinuationModel(Version.V48, BOUNDS), 60, 3, 20, "wasmtime")
    plan.binary, plan.release = wasmtime_binary("49.0.4"), "49.0.4"
    tally = Tally()
    run_campaign(plan, tally, lambda t: None)
    assert tally.kinds["gc"] > 0 and tally.agree == tally.runs == 60
