"""Campaigns are measured by the bugs they catch (issue 18): every seeded
mutant of the model (`mutants.py`) disagrees with native stacks, and with
Wasmtime 49.0.4 where wasm can observe it, within a bounded, seeded number
of guided runs; the unmutated model agrees on the same runs."""

from __future__ import annotations

from itertools import islice

import pytest

from contcheck.checker.replay import Plan, make_program, run_batch, wasmtime_binary
from contcheck.checker.replay.campaign import walks
from contcheck.checker.replay.native_replay import replay_native
from contcheck.model import Bounds, ContinuationModel, Version

from mutants import MUTANTS, mutated

BOUNDS = Bounds(contrefs=4, tags=2, clauses=2, host_depth=3, handles=3)
# Mutants whose runs the model calls undefined behaviour (a resume through a
# broken chain) or whose difference only the bookkeeping shows (a Fresh
# contref left Fresh): native stacks see them; a .wast program cannot.
NATIVE_ONLY = {"suspend-forgets-ancestor", "suspend-marks-ancestor", "fresh-throw-not-trapped"}
WASMTIME_SUBSET = ("outermost-handler", "bind-keeps-handle")


def plan(target: str, runs: int) -> Plan:
    return Plan(ContinuationModel(Version.V48, BOUNDS), runs, 1, 40, target)


def first_native_catch(name: str, runs: int = 400) -> int | None:
    """The first of `runs` guided runs (seed 1) on which the mutated model
    and native stacks disagree."""
    p = plan("native", runs)
    with mutated(name):
        for number, (actions, _) in enumerate(walks(p)):
            if not all(step.agree for step in replay_native(p.model, actions)):
                return number
    return None


def test_at_least_eight_mutants_are_observable_on_wasmtime() -> None:
    assert len(MUTANTS) - len(NATIVE_ONLY) >= 8


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_native_stacks_catch_every_mutant(name: str) -> None:
    """Each mutant parts from real stacks within 400 guided runs."""
    assert first_native_catch(name) is not None, MUTANTS[name][0]


def test_the_model_itself_agrees_on_those_runs() -> None:
    """Without a mutant the same 150 guided runs agree: the catches above
    are the mutants'."""
    p = plan("native", 150)
    for actions, _ in walks(p):
        assert all(step.agree for step in replay_native(p.model, actions))


@pytest.mark.parametrize("name", WASMTIME_SUBSET)
def test_wasmtime_catches_mutants(name: str) -> None:
    """Wasmtime 49.0.4 disagrees with the mutated model within 200 guided runs
    (batches of 25, stopping at the first that disagrees)."""
    p = plan("wasmtime", 200)
    binary = wasmtime_binary("49.0.4")
    with mutated(name):
        drawn = (make_program(p.model, actions, n) for n, (actions, _) in enumerate(walks(p)))
        for _ in range(0, p.runs, 25):
            verdicts = run_batch(binary, "49.0.4", list(islice(drawn, 25)))
            if any(not v.agree for v in verdicts):
                return
    pytest.fail(f"no disagreement: {MUTANTS[name][0]}")
