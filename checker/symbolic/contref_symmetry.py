"""The allocated contrefs are interchangeable: a symmetry the induction uses.

Nothing in §3 reads a contref's slot number except to name it: cont.new
takes the next free slot, and every other field that names a contref (links,
`last_ancestor`, a saved `stack_limit`) is only compared with such names.
Renaming the allocated contrefs, slots and names together, therefore maps
each run onto a run, and every property of §4 quantifies over all contrefs
alike.  So a counterexample to induction, renamed, is one again, and the
induction may ask only for pre-stores that list the allocated contrefs in
order of fields no renaming changes (`ordered`).

That holds only of conditions that are themselves invariant under renaming:
`invariant` asks z3.  The induction asks it of a run with a user's lemma,
which need not be; `tests/test_contref_symmetry.py` asks it of the shipped
lemmas and the properties, and checks that the step commutes with renaming,
a property of the encoding.
"""

from __future__ import annotations

from dataclasses import replace

import z3

from contcheck.checker.z3_interrupts import check
from contcheck.model import Bounds

from .paths import finite_solver
from .state import Act, BoolVal, Codes, Cont, Limits, Store, Val, moved


def _lex_le(xs: list[Val], ys: list[Val]) -> z3.BoolRef:
    if not xs:
        return z3.BoolVal(True)
    rest = _lex_le(xs[1:], ys[1:])
    return z3.Or(xs[0] < ys[0], z3.And(xs[0] == ys[0], rest))


def _key(s: Store, i: int) -> list[Val]:
    """What renaming leaves as it is: contref i's own counters and state."""
    c = s.conts[i]
    return [c.state, c.revision, c.args, c.values, *s.handles[i]]


def ordered(s: Store, bounds: Bounds) -> list[z3.BoolRef]:
    """The allocated contrefs of `s` in (lexicographic) order of `_key`: every
    store can be renamed into this order."""
    return [
        z3.Implies(s.ncont > i + 1, _lex_le(_key(s, i), _key(s, i + 1)))
        for i in range(bounds.contrefs - 1)
    ]


class Swap:
    """Renaming allocated contrefs `i` and `j`: their slots trade places and
    every field naming one names the other.  Unused slots hold 0 in every
    field (not a name: an unused slot's zero `stack_limit` is no contref's),
    so a slot's fields are renamed only `used`."""

    def __init__(self, codes: Codes, i: int, j: int) -> None:
        self.codes, self.i, self.j = codes, i, j

    def index(self, v: Val, used: BoolVal = True) -> Val:
        """A field holding a contref index (or a negative non-contref)."""
        return _when(used, z3.If(v == self.i, self.j, z3.If(v == self.j, self.i, v)), v)

    def link(self, v: Val, used: BoolVal = True) -> Val:
        """A field holding a link code."""
        a, b = self.codes.cont(self.i), self.codes.cont(self.j)
        return _when(used, z3.If(v == a, b, z3.If(v == b, a, v)), v)

    def limits(self, x: Limits, used: BoolVal = True) -> Limits:
        stack_limit = self.index(x.stack_limit, used)
        fp, sp, th = (self.link(f, used) for f in (x.fp, x.sp, x.th))
        return Limits(stack_limit, fp, sp, th)

    def cont(self, c: Cont, used: BoolVal) -> Cont:
        return replace(
            c,
            limits=self.limits(c.limits, used),
            parent=self.link(c.parent, used),
            last_ancestor=self.index(c.last_ancestor, used),
            cc_stack=self.link(c.cc_stack, used),
        )

    def act(self, a: Act, used: BoolVal) -> Act:
        return replace(
            a,
            limits=self.limits(a.limits, used),
            caller=self.link(a.caller, used),
            saved_chain=self.link(a.saved_chain, used),
            saved=self.limits(a.saved, used),
        )

    def store(self, s: Store) -> Store:
        """`s` with the two contrefs renamed."""
        order = list(range(len(s.conts)))
        order[self.i], order[self.j] = self.j, self.i
        return replace(
            s,
            conts=[self.cont(s.conts[k], k < s.ncont) for k in order],
            acts=[self.act(a, j < s.nact) for j, a in enumerate(s.acts)],
            chain=self.link(s.chain),
            running=self.link(s.running),
            vmctx=self.limits(s.vmctx),
            handles=[list(s.handles[k]) for k in order],
        )


def _when(used: BoolVal, renamed: Val, kept: Val) -> Val:
    if isinstance(used, bool):
        return renamed if used else kept
    return z3.If(used, renamed, kept)


def renamed(formula: z3.BoolRef, s: Store, swap: Swap) -> z3.BoolRef:
    """`formula` over `s`, asked of `s` with the swap applied."""
    return moved(formula, s, swap.store(s))


def invariant(conditions: dict[str, z3.BoolRef], s: Store, bounds: Bounds) -> str | None:
    """The first condition whose conjunction with those before it z3 does not
    show invariant under swapping neighbouring allocated contrefs (which
    generate every renaming), or None.  Each is asked given that the ones
    before it hold of the store and of its renaming, which they do."""
    codes = Codes(bounds.contrefs, bounds.host_depth)
    for i in range(bounds.contrefs - 1):
        swap = Swap(codes, i, i + 1)
        solver = finite_solver()
        solver.add(s.ncont > i + 1)
        for name, formula in conditions.items():
            other = renamed(formula, s, swap)
            if check(solver, formula, z3.Not(other)) != z3.unsat:
                return name
            solver.add(formula, other)
    return None
