"""Strengthening lemmas for the induction proofs (issue: z3, `prove --engine induction`).

A lemma is a condition on one store that every reachable store satisfies.
The induction engine assumes the shipped lemmas (and the user's, from
`--lemma FILE`) in the pre-store and proves them in the post-store, so a
lemma is never trusted without its own proof.  Each says why it is true.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import z3

from contcheck.model import Bounds, Version

from .machine import ARITY, NO_STACK_LIMIT, PARENT, SUSPENDED, TRAPPED
from .properties import ForSome, View, violation
from .state import Codes, Limits, Stack, Store, all_fields, cont_fields, moved
from .step import Semantics


@dataclass(frozen=True)
class Lemma:
    """A store condition: a z3 formula, or a walk that says where it fails."""

    name: str
    why: str
    formula: Callable[[Store, Bounds], z3.BoolRef] | None = None
    violated: Callable[[View], bool] | None = None
    v48_only: bool = False

    def holds(self, s: Store, sem: Semantics, solver: z3.Solver) -> z3.BoolRef:
        if self.formula is not None:
            return self.formula(s, sem.bounds)
        assert self.violated is not None
        return z3.Not(violation(self.violated, s, sem.codes, sem.version, solver))


def _in(v: object, low: int, high: int) -> z3.BoolRef:
    return z3.And(v >= low, v <= high)  # type: ignore[operator]


def _link(v: object, codes: Codes) -> z3.BoolRef:
    return _in(v, 0, codes.dead_init)


def _limits(x: Limits, codes: Codes, contrefs: int) -> list[z3.BoolRef]:
    return [
        _in(x.stack_limit, NO_STACK_LIMIT, contrefs - 1),
        *(_link(f, codes) for f in x.values()[1:]),
    ]


def _stack(st: Stack, b: Bounds, codes: Codes) -> list[z3.BoolRef]:
    out = [_in(st.state, 0, TRAPPED), _in(st.nhandlers, 0, b.clauses), _in(st.fshi, 0, b.clauses)]
    for k, h in enumerate(st.handlers):
        out.append(z3.If(k < st.nhandlers, _in(h, 0, b.tags - 1), h == 0))
    return out + _limits(st.limits, codes, b.contrefs)


def well_formed(s: Store, b: Bounds) -> z3.BoolRef:
    """Every field holds a value of its type, and slots not in use hold 0:
    true of the initial store, and every write of §3 stores such a value
    (payload lengths never exceed the type's ARITY, revisions are 0/1 in the
    abstraction, handle counters never exceed the slots)."""
    codes = Codes(b.contrefs, b.host_depth)
    out = [_in(s.ncont, 0, b.contrefs), _in(s.nact, 0, b.host_depth), _link(s.chain, codes)]
    out += [_link(s.running, codes), *_limits(s.vmctx, codes, b.contrefs), _in(s.host_error, 0, 5)]
    for i, c in enumerate(s.conts):
        used = [
            *_stack(c, b, codes),
            _link(c.parent, codes),
            _in(c.last_ancestor, -1, b.contrefs - 1),
        ]
        used += [_in(c.revision, 0, 1), _in(c.args, 0, ARITY), _in(c.values, 0, ARITY)]
        used += [_in(c.cc_kind, 0, 3), _link(c.cc_stack, codes)]
        unused = [f == 0 for f in cont_fields(c)] + [s.handles[i][0] == 0, s.handles[i][1] == 0]
        out.append(z3.If(i < s.ncont, z3.And(*used), z3.And(*unused)))
    for j, a in enumerate(s.acts):
        used = [*_stack(a, b, codes), _link(a.caller, codes), _link(a.saved_chain, codes)]
        used += _limits(a.saved, codes, b.contrefs)
        unused = [f == 0 for f in [a.state, a.nhandlers, *a.handlers, a.fshi, *a.limits.values()]]
        unused += [a.caller == 0, a.saved_chain == 0, *(f == 0 for f in a.saved.values())]
        out.append(z3.If(j < s.nact, z3.And(*used), z3.And(*unused)))
    counts = [n for pair in s.handles for n in pair]
    out += [n >= 0 for n in counts] + [z3.Sum(*counts) <= b.handles] if counts else []
    return z3.And(*out)


def _suspended_chain_limits(v: View, i: int) -> bool:
    """v48: every stack of a suspended chain but its end keeps all four
    saved limits naming itself (I9 asks this of stack_limit and entry_fp
    only, the v44 fields).  True because a stack leaves the running chain
    only by SAVE_LIMITS of the live fields, which name the running stack
    (I7, I23), or was already a Parent with valid limits (I8); v48's
    SAVE_LIMITS copies all four (§2.4)."""
    return v.is_(v.s.conts[i].state, SUSPENDED) and v.suspended_chain_breaks(i, Version.V48)


suspended_chain_limits = ForSome(_suspended_chain_limits)


def activation_records(v: View) -> bool:
    """v48: what each `EntryStoreContext` saved.  The outermost activation
    was entered from the host with no chain and zero limits; a nested one
    from its caller, the running stack of the activation around it (so the
    caller's chain ends in that activation's initial stack, as I1 says of
    the store chain while it runs), whose chain and live limits (its own, by
    I7 and I23) were saved as they were: v48 saves the chain before
    replacing it (§2.11, §3.9)."""
    for j in range(v.nact):
        a = v.s.acts[j]
        caller, saved = v.link(a.caller), v.link(a.saved_chain)
        if j == 0:
            zero = [a.saved.stack_limit == NO_STACK_LIMIT, *(f == 0 for f in a.saved.values()[1:])]
            if caller != 0 or saved != 0 or not v.p.test(z3.And(*zero)):
                return True
            continue
        own = [a.saved.stack_limit == v.native_stack(caller)]
        own += [f == caller for f in a.saved.values()[1:]]
        members, acyclic = v.walk(caller)
        on_outer_chain = acyclic and members[-1] == v.codes.init(j - 1)
        if not on_outer_chain or saved != caller or not v.p.test(z3.And(*own)):
            return True
    return False


def _suspended_chain_parents(v: View, i: int) -> bool:
    """Below the head of a suspended chain every stack is Parent: suspend and
    switch only change the head and cut the chain at the handler (§3.4,
    §3.5), and only resume re-enters a suspended chain, at its head (§3.3)."""
    if not v.is_(v.s.conts[i].state, SUSPENDED):
        return False
    members, _ = v.walk(v.codes.cont(i))
    return any(not v.is_(v.stack(code).state, PARENT) for code in members[1:-1])


suspended_chain_parents = ForSome(_suspended_chain_parents)


def idle_store(s: Store, b: Bounds) -> z3.BoolRef:
    """With no activation the store is as before the first call: no chain,
    nothing running, zero limits, no trap held.  Leaving the outermost
    activation restores what its entry saved (L2) and runs its caller,
    Absent; a trap is handed to a host function only while an activation
    remains to run it (§3.8 step 6)."""
    idle = [s.chain == 0, s.running == 0, s.vmctx.stack_limit == NO_STACK_LIMIT]
    idle += [f == 0 for f in s.vmctx.values()[1:]] + [s.host_error == 0]
    return z3.Implies(s.nact == 0, z3.And(*idle))


SHIPPED: tuple[Lemma, ...] = (
    Lemma("W", well_formed.__doc__ or "", formula=well_formed),
    Lemma(
        "L1", _suspended_chain_limits.__doc__ or "", violated=suspended_chain_limits, v48_only=True
    ),
    Lemma("L2", activation_records.__doc__ or "", violated=activation_records, v48_only=True),
    Lemma("L3", _suspended_chain_parents.__doc__ or "", violated=suspended_chain_parents),
    Lemma("L4", idle_store.__doc__ or "", formula=idle_store),
)


def shipped(version: Version) -> list[Lemma]:
    return [lem for lem in SHIPPED if version >= Version.V48 or not lem.v48_only]


def load_lemmas(path: Path, store: Store) -> list[Lemma]:
    """User lemmas: SMT-LIB assertions over the pre-store's variable names
    (`contcheck prove --list-variables` prints them)."""
    text = path.read_text(encoding="utf-8")
    decls = {str(v): v for v in all_fields(store) if not isinstance(v, int | bool)}
    try:
        parsed = z3.parse_smt2_string(text, decls=decls)
    except z3.Z3Exception as err:
        raise ValueError(
            f"{path}: not SMT-LIB assertions over the store's variables: {err}"
        ) from err
    lemmas = []
    for k, formula in enumerate(parsed):
        renamed = _renamer(formula, store)
        lemmas.append(Lemma(f"{path.name}#{k + 1}", str(formula), formula=renamed))
    return lemmas


def _renamer(formula: z3.BoolRef, template: Store) -> Callable[[Store, Bounds], z3.BoolRef]:
    """The lemma over another store of the same shape (the post-store, the
    initial store)."""
    return lambda s, b: moved(formula, template, s)
