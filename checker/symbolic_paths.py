"""Symbolic execution by forking: the paths of a program over z3 terms.

A body written as ordinary Python reads fields that may be z3 terms.  Where
control depends on one (`pick` a value, `test` a condition), the path forks:
`explore` re-runs the body once per feasible sequence of choices (depth
first, as Hypothesis replays choice sequences) and returns each path's
condition with its result.  Feasibility is asked of a z3 solver holding the
context (bounds on the variables), so only paths some store can take exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import z3

from .symbolic_state import BoolVal, Val

R = TypeVar("R")
T = TypeVar("T")


class Infeasible(Exception):
    """The path's condition is unsatisfiable: no store takes it."""


@dataclass
class Path:
    """One run of the body: its choices so far and its condition."""

    solver: z3.Solver
    prefix: list[int]
    pending: list[list[int]]
    pc: list[z3.BoolRef] = field(default_factory=list)
    choices: list[int] = field(default_factory=list)
    known: dict[int, int] = field(default_factory=dict)

    def choose(self, options: list[tuple[BoolVal, T]]) -> T:
        """One of `options` (guard, value); forks over the feasible ones."""
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
        guard, value = options[index]
        if not isinstance(guard, bool):
            self.pc.append(guard)
        return value

    def pick(self, v: Val, domain: Iterable[int]) -> int:
        """A concrete value for `v` (one path per feasible value)."""
        if isinstance(v, int):
            return v
        key = v.get_id()
        if key in self.known:
            return self.known[key]
        value = self.choose([(v == d, d) for d in domain])
        self.known[key] = value
        return value

    def test(self, cond: BoolVal) -> bool:
        if isinstance(cond, bool):
            return cond
        cond = z3.simplify(cond)
        if z3.is_true(cond) or z3.is_false(cond):
            return bool(z3.is_true(cond))
        return self.choose([(z3.Not(cond), False), (cond, True)])

    def assume(self, cond: BoolVal) -> None:
        if not self.test(cond):
            raise Infeasible

    def _feasible(self, guard: BoolVal) -> bool:
        if isinstance(guard, bool):
            return guard
        if z3.is_false(z3.simplify(guard)):
            return False
        return bool(self.solver.check(*self.pc, guard) != z3.unsat)


@dataclass
class Explored(Generic[R]):
    condition: z3.BoolRef
    result: R


def explore(body: Callable[[Path], R], solver: z3.Solver) -> list[Explored[R]]:
    """Every feasible path of `body` under `solver`'s assertions, each with its condition."""
    out: list[Explored[R]] = []
    todo: list[list[int]] = [[]]
    while todo:
        prefix = todo.pop()
        path = Path(solver, prefix, todo)
        try:
            result = body(path)
        except Infeasible:
            continue
        out.append(Explored(z3.And(*path.pc) if path.pc else z3.BoolVal(True), result))
    return out


def any_of(conditions: list[z3.BoolRef]) -> z3.BoolRef:
    """The disjunction (False for none: z3.Or needs one argument)."""
    return z3.Or(*conditions) if conditions else z3.BoolVal(False)
