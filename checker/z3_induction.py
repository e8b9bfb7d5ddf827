"""Inductive invariant proofs (issue: z3, `prove --engine induction`).

For each property P: initiation (the initial store satisfies it) and
consecution relative to the others: from any store satisfying every state
property and every lemma, one step of the z3 relation keeps P (a state
property) or does not break it (a transition property).  Where consecution
fails, the solver's model is a counterexample to induction (CTI): a pre-store,
an action and a post-store, read back as the model's `State`s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import z3

from contcheck.model import Action, State
from contcheck.properties import Property, by_id

from .symbolic_paths import any_of
from .symbolic_properties import STATE_PREDICATES, TRANSITION_PREDICATES, state_violation
from .symbolic_state import Store, all_fields, evaluate, to_state, variables
from .symbolic_step import (
    Semantics,
    action_values,
    action_vars,
    decode_action,
    initial_store,
    step_paths,
)
from .z3_lemmas import Lemma, well_formed


@dataclass
class Cti:
    pre: State
    action: Action
    post: State


@dataclass
class InductionRow:
    prop: str
    status: str  # "proved", "not inductive", "fails initially", "unknown"
    seconds: float
    cti: Cti | None = None
    reason: str = ""


# Shape-giving invariants first: later explorations are pruned by earlier ones.
ORDER = ("I1", "I16", "I2", "I14", "I3", "I6", "I15")


def induction(
    sem: Semantics,
    props: list[Property],
    lemmas: list[Lemma],
    log: Callable[[str], None] = lambda _: None,
) -> list[InductionRow]:
    b = sem.bounds
    pre, post = variables(b, "s"), variables(b, "t")
    act = action_vars(b, "a")
    solver = z3.Solver()
    for lem in lemmas:
        solver.add(lem.holds(pre, sem, solver))
    claims = [p.id for p in props]
    every = {p.id for p in by_id(None, sem.version)} | set(claims)  # assumed, asked or not
    state_ids = sorted((i for i in every if i in STATE_PREDICATES), key=_order)
    log("assuming the state properties in the pre-store")
    for i in state_ids:
        solver.add(z3.Not(state_violation(i, pre, sem.codes, sem.version, solver)))
    log("one step of the z3 relation")
    judge = tuple(i for i in claims if i in TRANSITION_PREDICATES)
    paths = step_paths(pre, act, sem, solver, judge)
    solver.add(any_of([z3.And(x.condition, *_same(post, x.result.post)) for x in paths]))
    init = initial_store(b, sem.version)
    rows = [r for r in (_initiation_lemma(lem, init, sem) for lem in lemmas) if r is not None]
    # Post-store conditions are explored under W alone (proved below): cheap
    # pruning; the exact step is in `solver`.
    post_context = z3.Solver()
    post_context.add(well_formed(post, b))
    for lem in lemmas:
        bad = z3.Not(lem.holds(post, sem, post_context))
        rows.append(_consecution(solver, lem.name, bad, sem, pre, act, post))
    for i in claims:
        log(f"consecution of {i}")
        start = time.perf_counter()
        if i in STATE_PREDICATES:
            if _violated_initially(i, init, sem):
                rows.append(InductionRow(i, "fails initially", time.perf_counter() - start))
                continue
            bad = state_violation(i, post, sem.codes, sem.version, post_context)
        else:
            bad = any_of([x.condition for x in paths if i in x.result.violated])
        rows.append(_consecution(solver, i, bad, sem, pre, act, post))
    return rows


def _order(prop: str) -> tuple[int, str]:
    return (ORDER.index(prop) if prop in ORDER else len(ORDER), prop)


def _same(a: Store, b: Store) -> list[z3.BoolRef]:
    return [x == y for x, y in zip(all_fields(a), all_fields(b), strict=True)]


def _violated_initially(prop: str, init: Store, sem: Semantics) -> bool:
    violation = state_violation(prop, init, sem.codes, sem.version, z3.Solver())
    return bool(z3.Solver().check(violation) == z3.sat)


def _initiation_lemma(lem: Lemma, init: Store, sem: Semantics) -> InductionRow | None:
    solver = z3.Solver()
    solver.add(z3.Not(lem.holds(init, sem, solver)))
    if solver.check() == z3.sat:
        return InductionRow(lem.name, "fails initially", 0.0)
    return None


def _consecution(
    solver: z3.Solver,
    name: str,
    bad: z3.BoolRef,
    sem: Semantics,
    pre: Store,
    act: object,
    post: Store,
) -> InductionRow:
    start = time.perf_counter()
    verdict = solver.check(bad)
    seconds = time.perf_counter() - start
    if verdict == z3.unsat:
        return InductionRow(name, "proved", seconds)
    if verdict == z3.unknown:
        return InductionRow(name, "unknown", seconds, reason=solver.reason_unknown())
    model = solver.model()
    before = to_state(evaluate(pre, model), sem.codes)
    after = to_state(evaluate(post, model), sem.codes)
    revisions = [c.revision for c in before.continuations] + [0] * sem.bounds.contrefs
    action = decode_action(action_values(act, model), revisions)  # type: ignore[arg-type]
    return InductionRow(name, "not inductive", seconds, Cti(before, action, after))
