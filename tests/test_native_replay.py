"""Replaying runs on real stacks (greenlets) agrees with the model on v48 and
shows where v44 misbehaves (issue: replay on native stacks)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from contcheck import main
from contcheck.checker.explicit.tracefile import write_run
from contcheck.checker.replay.native_replay import replay_native
from contcheck.model import Action, Bounds, ContinuationModel, Kind, Version
from contcheck.model import semantics as model_semantics

from program import BOUNDS, Program

V44, V48 = Version.V44, Version.V48


def first_difference(
    version: Version, actions: list[Action], bounds: Bounds = BOUNDS
) -> int | None:
    steps = replay_native(ContinuationModel(version, bounds), actions)
    return next((s.index for s in steps if not s.agree), None)


def nested_program(version: Version) -> Program:
    """Suspend across two stacks, resume the chain, switch, host re-entry
    with a trapping nested call the host swallows (§3.3-§3.5, §3.8, §3.9)."""
    p = Program(version)
    k0 = p.new()
    p.resume(k0, on=(0,), switch=(1,))
    k1 = p.new()
    p.resume(k1)
    p.suspend(0)
    p.resume(k1, switch=(1,))
    k2 = p.new()
    p.switch(k2, 1)
    p.host_call()
    k3 = p.new()
    p.resume(k3)
    p.trap()
    p.plain(Kind.HOST_SWALLOW)
    p.ret()
    return p


def test_v48_program_agrees_step_by_step() -> None:
    """Every step of a program using resume, suspend, switch, host re-entry and
    a bubbling trap shows the stacks the model predicts (§3, v48)."""
    p = nested_program(V48)
    assert first_difference(V48, p.history) is None


def test_v48_resume_throw_agrees() -> None:
    """resume_throw into a suspended chain, caught two stacks up (§3.6)."""
    p = Program(V48)
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.resume(p.new())
    p.suspend(0)
    p.resume_throw(1, catcher=2)
    assert first_difference(V48, p.history) is None


def test_v44_trap_as_return_differs_at_the_trap() -> None:
    """trap.wast on v44 (§3.8): real stacks propagate the trap, v44 returns."""
    p = Program(V44)
    k0 = p.new()
    p.resume(k0)
    p.trap()
    assert first_difference(V44, p.history) == 3


def test_random_v48_runs_agree() -> None:
    """A small differential campaign: 200 random v48 runs, every kind of
    action, agree with the real stacks at every step."""
    model = ContinuationModel(V48, Bounds(contrefs=4, tags=2, clauses=2, host_depth=3, handles=3))
    rng = random.Random(2026)
    kinds_seen: set[Kind] = set()
    for _ in range(200):
        state, actions = model.init_states()[0], []
        for _ in range(rng.randint(5, 40)):
            options = [a for a in model.actions(state) if a.kind != Kind.GC]
            kind = rng.choice(sorted({a.kind for a in options}))
            action = rng.choice([a for a in options if a.kind == kind])
            actions.append(action)
            kinds_seen.add(kind)
            state = model.next_state(state, action).state
        assert first_difference(V48, actions, model.bounds) is None, [str(a) for a in actions]
    assert len(kinds_seen) >= 15


def test_a_broken_model_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the model forgot that a continuation's return hands control back,
    the real stacks would show it."""
    p = nested_program(V48)
    monkeypatch.setitem(model_semantics._EXECUTE, Kind.RETURN, lambda m, a: None)
    assert first_difference(V48, p.history) is not None


def test_replay_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`contcheck replay FILE --on native`: exit 0 when every step agrees, 1
    at the first difference, naming it."""
    good = write_run(
        tmp_path / "good.json", ContinuationModel(V48, BOUNDS), nested_program(V48).history
    )
    assert main(["replay", str(good), "--on", "native"]) == 0
    assert "agree" in capsys.readouterr().out
    p = Program(V44)
    p.resume(p.new())
    p.trap()
    bad = write_run(tmp_path / "bad.json", ContinuationModel(V44, BOUNDS), p.history)
    assert main(["replay", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "step 3: unreachable   DIFFER" in out and "model Returned" in out
