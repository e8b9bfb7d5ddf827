"""Renaming allocated contrefs maps runs onto runs and keeps every property
(spec §2.1: contrefs are named only by links and indices; §4: every
invariant quantifies over all contrefs alike), which is what lets the
induction ask only for ordered pre-stores (`checker/symbolic/contref_symmetry.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import z3

from contcheck.checker.symbolic.contref_symmetry import Swap, invariant, ordered, renamed
from contcheck.checker.symbolic.induction import assumptions, induction
from contcheck.checker.symbolic.lemmas import load_lemmas, shipped, well_formed
from contcheck.checker.symbolic.paths import any_of, finite_solver
from contcheck.checker.symbolic.properties import (
    TRANSITION_PREDICATES,
    View,
    violation,
)
from contcheck.checker.symbolic.state import Codes, all_fields, variables
from contcheck.checker.symbolic.step import Semantics, action_vars, relation, step_paths
from contcheck.model import Bounds, Version
from contcheck.properties import by_id

TWO = Bounds(contrefs=2, tags=1, clauses=1, host_depth=1, handles=2)
SEM = Semantics(TWO, Version.V48)
SWAP = Swap(Codes(TWO.contrefs, TWO.host_depth), 0, 1)


@pytest.mark.parametrize(
    ("bounds", "version"),
    [(TWO, Version.V44), (TWO, Version.V48), (Bounds(), Version.V48)],
    ids=["v44, two contrefs", "v48, two contrefs", "v48, defaults"],
)
def test_the_conditions_the_induction_assumes_are_invariant_under_renaming(
    bounds: Bounds, version: Version
) -> None:
    """§4: the shipped lemmas and every state invariant, each with those
    assumed before it (I15 alone is not: on a store with two suspended chains
    ending in one contref, which I16 rules out, it reads the first by slot),
    hold of a store exactly when they hold of it with its contrefs renamed."""
    s = variables(bounds, "s")
    conditions = assumptions(Semantics(bounds, version), shipped(version), [], s)
    assert invariant(conditions, s, bounds) is None


def test_a_condition_naming_a_slot_is_caught() -> None:
    """The check above can fail: 'contref 0 is never suspended' singles out
    a slot, so renaming changes its verdict."""
    s = variables(TWO, "s")

    def slot_zero_suspended(v: View) -> bool:
        return v.ncont > 0 and v.is_(v.s.conts[0].state, 3)

    conditions = assumptions(SEM, shipped(Version.V48), [], s)
    conditions["slot 0"] = z3.Not(
        violation(slot_zero_suspended, s, SEM.codes, SEM.version, finite_solver())
    )
    assert invariant(conditions, s, TWO) == "slot 0"


def test_the_step_commutes_with_renaming() -> None:
    """§3: from a store satisfying the invariants, renaming the pre-store and
    the handle operand renames the post-store, and breaks the same
    transition properties (§4 I10-S5)."""
    pre, post = variables(TWO, "s"), variables(TWO, "t")
    act = action_vars(TWO, "a")
    solver = finite_solver()
    solver.add(*assumptions(SEM, shipped(Version.V48), [], pre).values())
    paths = step_paths(pre, act, SEM, solver, tuple(TRANSITION_PREDICATES))
    pairs = [
        (v, w)
        for s in (pre, post)
        for v, w in zip(all_fields(s), all_fields(SWAP.store(s)), strict=True)
        if not isinstance(v, int | bool)
    ]
    pairs.append((act.handle, SWAP.index(act.handle)))

    def renamed_step(f: z3.BoolRef) -> z3.BoolRef:
        return z3.substitute(f, *pairs)

    solver.add(pre.ncont == 2)
    step = relation(paths, post)
    assert solver.check(step, z3.Not(renamed_step(step))) == z3.unsat
    for prop in TRANSITION_PREDICATES:
        broken = any_of([x.condition for x in paths if prop in x.result.violated])
        assert solver.check(broken, z3.Not(renamed_step(broken))) == z3.unsat, prop


@pytest.mark.parametrize("version", [Version.V44, Version.V48])
def test_ordered_stores_give_the_same_verdicts(version: Version) -> None:
    """Issue z3 (induction): asking only ordered pre-stores proves and
    refutes exactly what asking every pre-store does (v44's failures make
    the induction give the order up part-way)."""
    props = by_id(None, version)

    def verdicts(symmetry: bool) -> dict[str, str]:
        rows = induction(Semantics(TWO, version), props, shipped(version), symmetry=symmetry)
        return {r.prop: r.status for r in rows}

    assert verdicts(True) == verdicts(False)


def test_every_store_has_an_ordered_renaming() -> None:
    """The order asked for is one every store can be renamed into: with two
    contrefs, a store or its renaming is ordered."""
    s = variables(TWO, "s")
    solver = finite_solver()
    both = z3.And(*ordered(s, TWO))
    solver.add(well_formed(s, TWO), z3.Not(both), z3.Not(renamed(both, s, SWAP)))
    assert solver.check() == z3.unsat


def test_a_user_lemma_naming_a_slot_turns_the_order_off(tmp_path: Path) -> None:
    """Issue z3 (`--lemma`): a user's lemma about one slot ('contref 1 is
    never suspended') is not kept by renaming, so the run asks every order,
    and its verdicts are those of a run that never ordered."""
    lemma = tmp_path / "slot.smt2"
    lemma.write_text("(assert (or (= s.ncont 0) (not (= s.k1.st 3))))\n")
    lemmas = shipped(Version.V48) + load_lemmas(lemma, variables(TWO, "s"))
    props = by_id(None, Version.V48)
    said: list[str] = []
    ordered_run = induction(SEM, props, lemmas, said.append)
    plain_run = induction(SEM, props, lemmas, symmetry=False)
    assert any("reads contrefs by slot" in line for line in said)
    assert [(r.prop, r.status) for r in ordered_run] == [(r.prop, r.status) for r in plain_run]
