"""Walks that reach the lifecycle, and the coverage campaigns report (issue 18)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from contcheck import main
from contcheck.checker.replay import Plan, Tally, run_campaign
from contcheck.checker.replay.coverage import (
    FORWARDED,
    RESUMED,
    STALE,
    SUSPENDED,
    SWITCHED,
    THROWN_INTO,
    Coverage,
    step_outcomes,
)
from contcheck.checker.replay.native_replay import replay_native
from contcheck.checker.replay.random_walks import Walker
from contcheck.model import Action, Bounds, ContinuationModel, Kind, Version

from program import Program

BOUNDS = Bounds(contrefs=4, tags=2, clauses=2, host_depth=3, handles=3)


def campaign(walk: str, runs: int = 150) -> Tally:
    plan = Plan(ContinuationModel(Version.V48, BOUNDS), runs, 7, 40, "native", walk=walk)
    tally = Tally()
    run_campaign(plan, tally, lambda t: None)
    return tally


def test_guided_walks_reach_what_uniform_walks_miss() -> None:
    """Issue 18: uniform walks rarely run a continuation; guided walks run one
    in most runs and reach switches, forwarded suspends and resume_throw into
    suspended chains, on longer chains, and still agree with real stacks."""
    uniform, guided = campaign("uniform"), campaign("guided")
    assert uniform.agree == uniform.runs and guided.agree == guided.runs
    u, g = uniform.coverage, guided.coverage
    assert g.runs_running_a_continuation >= 0.8 * guided.runs
    assert g.runs_running_a_continuation >= 3 * u.runs_running_a_continuation
    for outcome in (SUSPENDED, FORWARDED, SWITCHED, THROWN_INTO):
        assert g.outcomes[outcome] >= 10 and g.outcomes[outcome] > 2 * u.outcomes[outcome]
    assert g.longest_chain >= 4 > u.longest_chain


def test_walks_are_deterministic_per_seed() -> None:
    """A campaign is named by its seed: the same seed draws the same runs."""
    model = ContinuationModel(Version.V48, BOUNDS)
    runs = [Walker(model).walk(random.Random(5), 30, {Kind.GC})[0] for _ in range(2)]
    assert runs[0] == runs[1]


def test_step_outcomes_name_what_a_step_reaches() -> None:
    """The outcomes of §3.3-§3.6: a resume that runs the continuation, a
    suspend handled two stacks up (forwarded past k1's resume site), a stale
    operand (I10), resume_throw into a suspended chain."""
    model = ContinuationModel(Version.V48, BOUNDS)
    p = Program(Version.V48)
    k0 = p.new()
    p.resume(k0, on=(0,))
    k1 = p.new()
    p.resume(k1)
    p.suspend(0)
    p.resume_throw(1, catcher=0)
    seen = Coverage()
    state = model.init_states()[0]
    for action in p.history:
        step = model.next_state(state, action)
        seen.add_step(state, action, step.state, step.event)
        state = step.state
    assert seen.outcomes[RESUMED] == 2 and seen.outcomes[FORWARDED] == 1
    assert seen.outcomes[THROWN_INTO] == 1 and seen.longest_chain == 3
    stale = p.history[1]  # k0's first handle, consumed by the first resume
    reached = step_outcomes(state, stale, model.next_state(state, stale).event)
    assert STALE in reached and RESUMED not in reached


def test_resume_throw_installs_switch_handlers_on_native_stacks() -> None:
    """§3.6 step 5 continues with §3.3 steps 5-16, which install every handler
    clause: a switch from the continuation after a caught resume_throw finds
    the resumer's switch clause (Wasmtime 49.0.4 agrees; the native executor
    once installed only suspend clauses)."""
    model = ContinuationModel(Version.V48, BOUNDS)
    p = Program(Version.V48)
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.suspend(0)
    p.do(Action(Kind.RESUME_THROW, p.handle(0), switch_tags=(0,), catcher=0))
    k1 = p.new()
    p.switch(k1, 0)
    assert all(s.agree for s in replay_native(model, p.history))


def test_fuzz_reports_coverage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`contcheck fuzz` prints and writes the coverage (issue 18), per walk mode."""
    doc = tmp_path / "fuzz.json"
    argv = ["fuzz", "--on", "native", "--runs", "30", "--seed", "2", "--json", str(doc)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "guided walks" in out and "runs run a continuation" in out
    assert "I17 transitions taken" in out
    coverage = json.loads(doc.read_text())["coverage"]
    assert coverage["outcomes"][RESUMED] > 0 and coverage["longest_chain"] >= 2
    assert coverage["i17_transitions"]["allowed"] == 9
    assert main([*argv, "--walk", "uniform"]) == 0
    assert json.loads(doc.read_text())["walk"] == "uniform"
