"""Counterexamples to induction among small stores, where quantifier
instantiation gives up (issue: z3, "Beyond a fixed number of continuations").

A store of n stacks is the elements Absent, init, k0, ..., k(n-3).  Every
universal formula is expanded into its instances over them, and every
stack-valued field, the head and the step's parameters are made to name one
of them, so the query is quantifier-free.  A model of it, cut down to those
elements, is a finite store that satisfies every assumed claim and breaks
the goal: a genuine counterexample to induction.  No model means only that
no store of that size is one: the claim stays unknown.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import fields

import z3

from .model import INIT, NIL, Fn, Stack, Store

SIZES = (4, 5, 6, 7)  # Absent and init, then 2 to 5 contrefs


def elements(size: int) -> list[z3.ExprRef]:
    return [NIL, INIT, *(z3.Const(f"k{i}", Stack) for i in range(size - 2))]


def expand(f: z3.ExprRef, among: list[z3.ExprRef]) -> z3.ExprRef:
    """`f` with each quantifier over stacks replaced by its instances."""
    memo: dict[int, z3.ExprRef] = {}

    def walk(e: z3.ExprRef) -> z3.ExprRef:
        key = e.get_id()
        if key not in memo:
            memo[key] = _expanded(e, among, walk)
        return memo[key]

    return walk(f)


def _expanded(
    e: z3.ExprRef, among: list[z3.ExprRef], walk: Callable[[z3.ExprRef], z3.ExprRef]
) -> z3.ExprRef:
    if z3.is_quantifier(e):
        combos = itertools.product(among, repeat=e.num_vars())
        bodies = [walk(z3.substitute_vars(e.body(), *reversed(c))) for c in combos]
        return z3.And(*bodies) if e.is_forall() else z3.Or(*bodies)
    if z3.is_app(e) and e.num_args() > 0:
        return e.decl()(*(walk(child) for child in e.children()))
    return e


def closed(s: Store, among: list[z3.ExprRef], params: list[z3.ExprRef]) -> list[z3.BoolRef]:
    """The store's stack-valued fields, its head and the parameters name
    one of `among`, which are pairwise distinct."""

    def inside(t: z3.ExprRef) -> z3.BoolRef:
        return z3.Or(*(t == e for e in among))

    out = [z3.Distinct(*among), *(inside(t) for t in (s.head, *s.live))]
    out += [inside(p) for p in params if p.sort() == Stack]
    for spec in fields(s):
        f: Fn = getattr(s, spec.name)
        if spec.name not in ("reach", "head", "active", "live") and f(NIL).sort() == Stack:
            out += [inside(f(e)) for e in among]
    return out


def small_cti(
    given: list[z3.BoolRef],
    guard: z3.BoolRef,
    bad: z3.BoolRef,
    pre: Store,
    params: list[z3.ExprRef],
    timeout_s: float,
) -> tuple[z3.ModelRef, list[z3.ExprRef]] | None:
    """The smallest store (up to 7 stacks) from which the step breaks the
    goal, within `timeout_s` in all; None if none was found."""
    deadline = time.perf_counter() + timeout_s
    for size in SIZES:
        left = deadline - time.perf_counter()
        if left <= 0:
            return None
        among = elements(size)
        solver = z3.Solver()
        solver.set("timeout", int(left * 1000))
        solver.add(*closed(pre, among, params))
        solver.add(*(expand(f, among) for f in [*given, guard, bad]))
        if solver.check() == z3.sat:
            return solver.model(), among
    return None
