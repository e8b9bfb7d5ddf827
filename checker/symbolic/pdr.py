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
from .invariant_names import in_model_names
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

# Each property's budget in z3 resource units (rlimit), not seconds, so a
# verdict does not depend on the machine's load; spent, the property is unknown.
BUDGET = 20_000_000


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
    budget: int = BUDGET,
) -> list[PdrRow]:
    """A row per property; Ctrl-C keeps the rows decided and leaves the
    others unknown ("interrupted")."""
    b = sem.bounds
    pre, post = variables(b, "s"), variables(b, "t")
    act = action_vars(b, "a")
    rows: list[PdrRow] = []
    with stoppable():  # what is not decided stays unknown
        held = assumptions(sem, lemmas, [p.id for p in props], pre)
        for p in props:
            log(f"Spacer on {p.id}")
            rows.append(_one(sem, p.id, held, pre, post, act, budget))
    done = {r.prop for r in rows}
    return rows + [PdrRow(p.id, "unknown", 0.0, "interrupted") for p in props if p.id not in done]


def _one(
    sem: Semantics,
    prop: str,
    held: dict[str, z3.BoolRef],
    pre: Store,
    post: Store,
    act: ActionVars,
    budget: int,
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
    clauses = (z3.And(assumed, step), z3.And(assumed, bad))
    return _spacer(prop, sem, (pre, post, act), clauses, budget)


def _spacer(
    prop: str,
    sem: Semantics,
    constants: tuple[Store, Store, ActionVars],  # the pre- and post-store's and the action's
    clauses: tuple[z3.BoolRef, z3.BoolRef],
    budget: int,
) -> PdrRow:
    start = time.perf_counter()
    pre, post, act = constants
    step, bad = clauses
    fp = z3.Fixedpoint()
    fp.set(engine="spacer", rlimit=budget)
    pre_vars, post_vars = _vars(pre), _vars(post)
    inv = z3.Function("Inv", *[v.sort() for v in pre_vars], z3.BoolSort())
    fp.register_relation(inv)
    # Every free constant of the clauses is a field of the pre- or post-store or
    # of the action (all three are named by prefix); collecting them from the
    # terms instead costs minutes (z3's get_vars prints every subterm).
    fp.declare_var(*sorted([*pre_vars, *post_vars, *_action(act)], key=str))
    init = z3.And(*equalities(pre, initial_store(sem.bounds, sem.version)))
    fp.rule(inv(*pre_vars), init)
    fp.rule(inv(*post_vars), [inv(*pre_vars), step])
    checkpoint()
    try:
        verdict = fp.query(z3.And(inv(*pre_vars), bad))
    except z3.Z3Exception as err:  # Spacer raises, not answers unknown, at its rlimit
        checkpoint()
        if "resource limit" not in str(err):
            raise
        spent = f"budget spent ({budget:,} z3 resource units)"
        return PdrRow(prop, "unknown", time.perf_counter() - start, reason=spent)
    seconds = time.perf_counter() - start
    if verdict == z3.unsat:
        cover = z3.substitute_vars(fp.get_cover_delta(-1, inv), *pre_vars)
        invariant = in_model_names(z3.simplify(cover), sem.codes)
        return PdrRow(prop, "proved", seconds, invariant=invariant)
    if verdict == z3.sat:
        return PdrRow(prop, "violated", seconds, reason="Spacer derives a store that breaks it")
    checkpoint()  # a Ctrl-C cancels the query: not z3's unknown
    return PdrRow(prop, "unknown", seconds, reason=fp.reason_unknown())


def _action(act: ActionVars) -> list[z3.ExprRef]:
    scalars = (act.kind, act.handle, act.current, act.null, act.tag, act.nsuspend, act.nswitch)
    return [*scalars, *act.clause_tags, act.catcher]


def _vars(s: Store) -> list[z3.ExprRef]:
    return [v for v in all_fields(s) if not isinstance(v, int | bool)]
