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
from .symbolic_state import Store, evaluate, to_state, variables
from .symbolic_step import (
    Semantics,
    action_values,
    action_vars,
    decode_action,
    initial_store,
    relation,
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
    claims = [p.id for p in props]
    log("assuming the lemmas and state properties in the pre-store")
    conditions = assumptions(sem, lemmas, claims, pre)
    solver = z3.Solver()
    solver.add(*conditions.values())
    log("one step of the z3 relation")
    judge = tuple(i for i in claims if i in TRANSITION_PREDICATES)
    paths = step_paths(pre, act, sem, solver, judge)
    solver.add(relation(paths, post))
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


def assumptions(
    sem: Semantics, lemmas: list[Lemma], claims: list[str], s: Store
) -> dict[str, z3.BoolRef]:
    """Each lemma and every state property (the version's and those asked) as
    a condition on `s`, by name.  Each is explored under those before it, so
    the conjunction is exact while each alone is smaller."""
    context = z3.Solver()
    out: dict[str, z3.BoolRef] = {}
    for lem in lemmas:
        out[lem.name] = lem.holds(s, sem, context)
        context.add(out[lem.name])
    every = {p.id for p in by_id(None, sem.version)} | set(claims)
    for i in sorted((i for i in every if i in STATE_PREDICATES), key=_order):
        out[i] = z3.Not(state_violation(i, s, sem.codes, sem.version, context))
        context.add(out[i])
    return out


def _order(prop: str) -> tuple[int, str]:
    return (ORDER.index(prop) if prop in ORDER else len(ORDER), prop)


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
