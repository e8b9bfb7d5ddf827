"""Symbolic execution by forking: the paths of a program over z3 terms.

A body written as ordinary Python reads fields that may be z3 terms.  Where
control depends on one (`pick` a value, `test` a condition), the path forks:
`explore` re-runs the body once per feasible sequence of choices (depth
first, as Hypothesis replays choice sequences) and returns each path's
condition with its result.  Feasibility is asked of a z3 solver holding the
context (bounds on the variables), so only paths some store can take exist.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import z3

from contcheck.checker.z3_interrupts import check, checkpoint

from .state import BoolVal, Val

R = TypeVar("R")
T = TypeVar("T")


class Infeasible(Exception):
    """The path's condition is unsatisfiable: no store takes it."""


class Terms:
    """The terms every replay of a body builds again, built once per
    exploration: a replay reads the same store objects, so a term is found
    by the Python object it is built from (kept alive here, so its `id` is
    not reused) without asking z3."""

    def __init__(self) -> None:
        self.equalities: dict[int, tuple[z3.ExprRef, dict[int, z3.BoolRef]]] = {}
        self.ids: dict[int, tuple[z3.ExprRef, int]] = {}
        self.numbers: dict[int, z3.IntNumRef] = {}
        self.false: dict[int, bool] = {}  # term id -> simplifies to False

    def number(self, value: int) -> z3.IntNumRef:
        if value not in self.numbers:
            self.numbers[value] = z3.IntVal(value)
        return self.numbers[value]

    def equal(self, v: z3.ExprRef, value: int) -> z3.BoolRef:
        """`v == value`."""
        entry = self.equalities.get(id(v))
        if entry is None:
            entry = self.equalities[id(v)] = (v, {})
        if value not in entry[1]:
            entry[1][value] = v == value
        return entry[1][value]

    def ident(self, t: z3.ExprRef) -> int:
        """z3's id of `t` (equal for structurally equal terms)."""
        entry = self.ids.get(id(t))
        if entry is None:
            entry = self.ids[id(t)] = (t, t.get_id())
        return entry[1]


class Feasibility:
    """Is a path's next choice possible?  Asked of a solver holding the context.

    Only the condition's conjuncts over the store are asked: those naming a
    `free` variable (the step's own operands, constrained by nothing else)
    are left out.  The weaker query still proves every pruned choice
    impossible, may keep a path whose condition is unsatisfiable (harmless:
    its disjunct is false), and repeats across action kinds and operands, so
    answers are cached.
    """

    def __init__(self, solver: z3.Solver, free: Iterable[z3.ExprRef] = ()) -> None:
        self.solver = solver
        self.terms = Terms()
        self.free = {v.get_id() for v in free}
        self.keep: dict[int, bool] = {}  # conjunct id -> asked
        self.operands_only: dict[int, bool] = {}  # guard id -> names free variables only
        self.answers: dict[tuple[frozenset[int], int], bool] = {}

    def __call__(self, asked: list[z3.BoolRef], ids: frozenset[int], guard: z3.BoolRef) -> bool:
        """May `guard` hold together with `asked` (whose ids are `ids`)?"""
        alone = self._operands_only(guard)
        key = (frozenset() if alone else ids, self.terms.ident(guard))
        checkpoint()
        if key not in self.answers:
            verdict = check(self.solver, *([] if alone else asked), guard)
            self.answers[key] = verdict != z3.unsat
        return self.answers[key]

    def _operands_only(self, guard: z3.BoolRef) -> bool:
        """Does `guard` name free variables alone?  Then `asked` (every
        conjunct of which was itself found feasible as a guard, with the
        others before it) has no bearing on it, and it is asked alone."""
        i = self.terms.ident(guard)
        if i not in self.operands_only:
            names = _constants(guard)
            self.operands_only[i] = bool(names) and all(v.get_id() in self.free for v in names)
        return self.operands_only[i]

    def asked(self, c: z3.BoolRef) -> bool:
        """Is conjunct `c` of a path's condition part of the query?"""
        i = self.terms.ident(c)
        if i not in self.keep:
            self.keep[i] = not self.free or not any(v.get_id() in self.free for v in _constants(c))
        return self.keep[i]


def _constants(e: z3.ExprRef) -> list[z3.ExprRef]:
    """The uninterpreted constants in `e`."""
    seen: set[int] = set()
    out: list[z3.ExprRef] = []
    todo = [e]
    while todo:
        t = todo.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_const(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out.append(t)
        todo.extend(t.children())
    return out


@dataclass
class Path:
    """One run of the body: its choices so far and its condition."""

    feasible: Feasibility
    prefix: list[int]
    pending: list[list[int]]
    pc: list[z3.BoolRef] = field(default_factory=list)
    choices: list[int] = field(default_factory=list)
    known: dict[int, int] = field(default_factory=dict)
    # What the path has decided, so asking again costs no solver call:
    # guard id -> (guard, truth), and each picked term with its value.
    facts: dict[int, tuple[z3.BoolRef, bool]] = field(default_factory=dict)
    values: list[tuple[z3.ExprRef, z3.ExprRef]] = field(default_factory=list)
    # `values` as z3 arrays for `Z3_substitute`, with the length they hold.
    _arrays: tuple[int, ctypes.Array[Any], ctypes.Array[Any]] | None = None
    # The conjuncts of `pc` a feasibility query asks, and their ids, as of
    # `pc[:_seen]` (`pc` only grows).
    _asked: list[z3.BoolRef] = field(default_factory=list)
    _asked_ids: set[int] = field(default_factory=set)
    _seen: int = 0

    def choose(self, options: list[tuple[BoolVal, T]]) -> T:
        """One of `options` (guard, value; pairwise exclusive); forks over
        the feasible ones."""
        k = len(self.choices)
        if k < len(self.prefix):
            index = self.prefix[k]
        else:
            feasible = [i for i, (g, _) in enumerate(options) if self._feasible(g)]
            if not feasible:
                raise Infeasible
            self.pending += [[*self.choices, i] for i in feasible[1:]]
            index = feasible[0]
        self.choices.append(index)
        for i, (guard, _) in enumerate(options):
            if not isinstance(guard, bool):
                self.facts[self.feasible.terms.ident(guard)] = (guard, i == index)
        guard, value = options[index]
        if not isinstance(guard, bool):
            self.pc.append(guard)
        return value

    def pick(self, v: Val, domain: Iterable[int]) -> int:
        """A concrete value for `v` (one path per feasible value)."""
        if isinstance(v, int):
            return v
        terms = self.feasible.terms
        key = terms.ident(v)
        if key in self.known:
            return self.known[key]
        value = self.choose([(terms.equal(v, d), d) for d in domain])
        self.known[key] = value
        self.values.append((v, terms.number(value)))
        return value

    def equal(self, v: z3.ExprRef, value: int) -> z3.BoolRef:
        """The term `v == value` (built once per exploration)."""
        return self.feasible.terms.equal(v, value)

    def equals(self, v: Val, value: int) -> bool:
        """Is `v == value`?  Forks where the path has not decided it."""
        decided = self._decided(v)
        if decided is not None:
            return decided == value
        return self.test(self.equal(v, value))

    def within(self, v: Val, values: set[int]) -> bool:
        """Is `v` one of `values`?  Forks where the path has not decided it."""
        decided = self._decided(v)
        if decided is not None:
            return decided in values
        return self.test(z3.Or(*(self.equal(v, d) for d in sorted(values))))

    def _decided(self, v: Val) -> int | None:
        """`v`'s value, if it is a number or was picked on this path."""
        if isinstance(v, int):
            return v
        return self.known.get(self.feasible.terms.ident(v))

    def test(self, cond: BoolVal) -> bool:
        if isinstance(cond, bool):
            return cond
        cond = z3.simplify(self._with_values(cond))
        if z3.is_true(cond) or z3.is_false(cond):
            return bool(z3.is_true(cond))
        return self.choose([(z3.Not(cond), False), (cond, True)])

    def _with_values(self, cond: z3.BoolRef) -> z3.BoolRef:
        """`cond` with every picked term replaced by its value."""
        if not self.values:
            return cond
        n = len(self.values)
        if self._arrays is None or self._arrays[0] != n:
            sources = ast_array([t for t, _ in self.values])
            self._arrays = (n, sources, ast_array([v for _, v in self.values]))
        _, sources, targets = self._arrays
        ctx = cond.ctx
        return z3.BoolRef(z3.Z3_substitute(ctx.ref(), cond.as_ast(), n, sources, targets), ctx)

    def assume(self, cond: BoolVal) -> None:
        if not self.test(cond):
            raise Infeasible

    def _feasible(self, guard: BoolVal) -> bool:
        if isinstance(guard, bool):
            return guard
        terms = self.feasible.terms
        key = terms.ident(guard)
        fact = self.facts.get(key)
        if fact is not None:
            return fact[1]
        if key not in terms.false:
            terms.false[key] = z3.is_false(z3.simplify(guard))
        if terms.false[key]:
            return False
        for c in self.pc[self._seen :]:
            if self.feasible.asked(c):
                self._asked.append(c)
                self._asked_ids.add(terms.ident(c))
        self._seen = len(self.pc)
        return self.feasible(self._asked, frozenset(self._asked_ids), guard)


@dataclass
class Explored(Generic[R]):
    condition: z3.BoolRef
    result: R


def explore(
    body: Callable[[Path], R], solver: z3.Solver, free: Iterable[z3.ExprRef] = ()
) -> list[Explored[R]]:
    """Every feasible path of `body` under `solver`'s assertions, each with its
    condition (and perhaps some infeasible ones: see `Feasibility`)."""
    feasible = Feasibility(solver, free)
    out: list[Explored[R]] = []
    todo: list[list[int]] = [[]]
    while todo:
        prefix = todo.pop()
        path = Path(feasible, prefix, todo)
        try:
            result = body(path)
        except Infeasible:
            continue
        out.append(Explored(z3.And(*path.pc) if path.pc else z3.BoolVal(True), result))
    return out


def ast_array(terms: list[z3.ExprRef]) -> ctypes.Array[Any]:
    """`terms` as a C array for z3's API (they must outlive it)."""
    out: ctypes.Array[Any] = (z3.Ast * len(terms))()
    for i, t in enumerate(terms):
        out[i] = t.as_ast()
    return out


def finite_solver() -> z3.Solver:
    """A solver for exploring a bounded store's quantifier-free integer
    formulas: z3's QF_LIA configuration answers the many small feasibility
    queries in about half the time of the general one (the relation at 2
    contrefs, 2 activations: 4.2 s -> 1.9 s in the solver)."""
    return z3.SolverFor("QF_LIA")


def any_of(conditions: list[z3.BoolRef]) -> z3.BoolRef:
    """The disjunction (False for none: z3.Or needs one argument)."""
    return z3.Or(*conditions) if conditions else z3.BoolVal(False)
