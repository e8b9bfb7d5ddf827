"""Property-directed reachability with z3's Spacer engine (issue: z3,
`prove --engine pdr`).

The store is a tuple of integers; `Inv` is an unknown relation over it with
three Horn clauses: the initial store is in Inv; Inv is closed under one step;
no store in Inv violates the property.  Spacer either finds an inductive
invariant (proved: it is printed), a derivation of a bad store (violated), or
gives up.  The step is the z3 relation restricted to stores that satisfy the shipped
lemmas and every other state property: Spacer proves each property relative
to the others, as `--engine induction` does, which proves those inductive.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import z3

from contcheck.checker.z3_interrupts import checkpoint, stoppable
from contcheck.properties import Property

from .induction import assumptions
from .lemmas import Lemma
from .paths import any_of, finite_solver
from .properties import STATE_PREDICATES, TRANSITION_PREDICATES
from .state import Store, all_fields, equalities, variables
from .step import (
    ActionVars,
    Semantics,
    action_vars,
    initial_store,
    relation,
    step_paths,
)

TIMEOUT_MS = 60_000


@dataclass
class PdrRow:
    prop: str
    status: str  # "proved", "violated", "unknown"
    seconds: float
    reason: str = ""
    invariant: str = ""


def pdr(
    sem: Semantics,
    props: list[Property],
    lemmas: list[Lemma],
    log: Callable[[str], None] = lambda _: None,
) -> list[PdrRow]:
    b = sem.bounds
    pre, post = variables(b, "s"), variables(b, "t")
    act = action_vars(b, "a")
    rows: list[PdrRow] = []
    with stoppable():  # what is not decided stays unknown
        held = assumptions(sem, lemmas, [p.id for p in props], pre)
        for p in props:
            log(f"Spacer on {p.id}")
            rows.append(_one(sem, p.id, held, pre, post, act))
    done = {r.prop for r in rows}
    return rows + [PdrRow(p.id, "unknown", 0.0, "interrupted") for p in props if p.id not in done]


def _one(
    sem: Semantics,
    prop: str,
    held: dict[str, z3.BoolRef],
    pre: Store,
    post: Store,
    act: ActionVars,
) -> PdrRow:
    """Spacer on one property, over the relation restricted to the others."""
    context = finite_solver()
    context.add(*(f for q, f in held.items() if q != prop))
    judge = (prop,) if prop in TRANSITION_PREDICATES else ()
    paths = step_paths(pre, act, sem, context, judge)
    step = relation(paths, post)
    assumed = z3.And(*context.assertions())
    if prop in STATE_PREDICATES:
        bad = z3.Not(held[prop])
    else:
        bad = z3.And(any_of([x.condition for x in paths if prop in x.result.violated]), step)
    return _spacer(prop, sem, pre, post, z3.And(assumed, step), z3.And(assumed, bad))


def _spacer(
    prop: str, sem: Semantics, pre: Store, post: Store, step: z3.BoolRef, bad: z3.BoolRef
) -> PdrRow:
    start = time.perf_counter()
    fp = z3.Fixedpoint()
    fp.set(engine="spacer", timeout=TIMEOUT_MS)
    pre_vars, post_vars = _vars(pre), _vars(post)
    inv = z3.Function("Inv", *[v.sort() for v in pre_vars], z3.BoolSort())
    fp.register_relation(inv)
    named = {str(v): v for v in [*z3.z3util.get_vars(z3.And(step, bad)), *pre_vars, *post_vars]}
    free = [named[k] for k in sorted(named)]
    fp.declare_var(*free)
    init = z3.And(*equalities(pre, initial_store(sem.bounds, sem.version)))
    fp.rule(inv(*pre_vars), init)
    fp.rule(inv(*post_vars), [inv(*pre_vars), step])
    checkpoint()
    verdict = fp.query(z3.And(inv(*pre_vars), bad))
    seconds = time.perf_counter() - start
    if verdict == z3.unsat:
        cover = z3.substitute_vars(fp.get_cover_delta(-1, inv), *pre_vars)
        return PdrRow(prop, "proved", seconds, invariant=str(z3.simplify(cover)))
    if verdict == z3.sat:
        return PdrRow(prop, "violated", seconds, reason="Spacer derives a store that breaks it")
    checkpoint()  # a Ctrl-C cancels the query: not z3's unknown
    return PdrRow(prop, "unknown", seconds, reason=fp.reason_unknown())


def _vars(s: Store) -> list[z3.ExprRef]:
    return [v for v in all_fields(s) if not isinstance(v, int | bool)]
