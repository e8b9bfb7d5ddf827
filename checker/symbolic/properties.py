"""The properties of `properties/catalog.py` over a symbolic store (spec §4).

Each predicate runs on a `Path` (so it may fork on the store's fields) and
returns True where the property is *violated*.  Written from the statements
in §4, not by calling `properties/`: the cross-check compares the two.
State predicates read one store; transition predicates read the step's
pre-store, operands, post-store and events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from contcheck.model import Kind, Version
from contcheck.properties.transitions import ALLOWED_TRANSITIONS

from .machine import (
    CC_LAUNCHPAD,
    CC_NONE,
    CC_RESUME_POINT,
    CC_SUSPENSION_POINT,
    FRESH,
    HOST_STACK,
    PARENT,
    RETURNED,
    RUNNING,
    SUSPENDED,
    TRAPPED,
    Events,
)
from .paths import Path, any_of, explore
from .state import CURRENT, Codes, Stack, Store, Val


class View:
    """Read-only walks over one store on one path."""

    def __init__(self, p: Path, s: Store, codes: Codes, version: Version) -> None:
        self.p, self.s, self.codes, self.version = p, s, codes, version
        self.ncont = p.pick(s.ncont, range(codes.contrefs + 1))
        self.nact = p.pick(s.nact, range(codes.host_depth + 1))

    def link(self, v: Val) -> int:
        return self.p.pick(v, self.codes.all)

    def is_(self, v: Val, value: int) -> bool:
        return self.p.equals(v, value)

    def stack(self, code: int) -> Stack:
        """A live stack's CSI; the dead initial stack reads the innermost one,
        as a dangling pointer into the last activation would."""
        if self.codes.is_cont(code):
            return self.s.conts[self.codes.index(code)]
        j = self.codes.index(code)
        return self.s.acts[j if j >= 0 else self.nact - 1]

    def walk(self, start: int) -> tuple[list[int], bool]:
        members, link = [start], start
        while self.codes.is_cont(link):
            link = self.link(self.s.conts[self.codes.index(link)].parent)
            if link in members:
                return members, False
            members.append(link)
        return members, True

    def active_chains(self) -> list[list[int]]:
        if self.nact == 0:
            return []
        heads = [self.link(self.s.chain)]
        heads += [self.link(self.s.acts[j].caller) for j in reversed(range(1, self.nact))]
        return [self.walk(h)[0] for h in heads]

    def suspended(self) -> list[int]:
        return [i for i in range(self.ncont) if self.is_(self.s.conts[i].state, SUSPENDED)]

    def native_stack(self, code: int) -> int:
        """A contref's own stack; an initial stack runs on its caller's (the
        host's for activation 0).  A caller cycle, which no run builds, names
        no stack."""
        for _ in range(self.nact + 1):
            if not (self.codes.is_init(code) and self.codes.index(code) > 0):
                break
            j = self.codes.index(code)
            if j >= self.nact:
                return HOST_STACK - 10
            code = self.link(self.s.acts[j].caller)
        else:
            return HOST_STACK - 10
        return self.codes.index(code) if self.codes.is_cont(code) else HOST_STACK

    def valid_limits(self, code: int, version: Version) -> bool:
        lim = self.stack(code).limits
        fields = [lim.fp] + ([lim.sp, lim.th] if version >= Version.V48 else [])
        ok = [lim.stack_limit == self.native_stack(code), *(f == code for f in fields)]
        return self.p.test(z3.And(*ok))

    def suspended_chain_breaks(self, i: int, version: Version) -> bool:
        """Does some stack of `i`'s suspended chain, its end aside, lack
        valid limits?"""
        members, _ = self.walk(self.codes.cont(i))
        return any(not self.valid_limits(code, version) for code in members[:-1])

    def stacks(self) -> list[tuple[int, Stack]]:
        rows = [(self.codes.cont(i), self.s.conts[i]) for i in range(self.ncont)]
        return rows + [(self.codes.init(j), self.s.acts[j]) for j in range(self.nact)]


@dataclass(frozen=True)
class ForSome:
    """A state property that fails where it fails for some contref,
    `check(v, i)` saying whether contref `i` breaks it.  Explored one contref
    at a time (`violation`), its formula grows with the number of contrefs,
    not with the product of their cases (I15 at the default bounds: 780
    paths one contref at a time, 9,004 as one walk over all of them)."""

    check: Callable[[View, int], bool]

    def __call__(self, v: View) -> bool:
        return any(self.check(v, i) for i in range(v.ncont))

    def at(self, i: int) -> Callable[[View], bool]:
        """Does contref `i` exist and break the property?"""
        return lambda v: i < v.ncont and self.check(v, i)


StatePredicate = Callable[[View], bool]


def violation(
    pred: StatePredicate,
    store: Store,
    codes: Codes,
    version: Version,
    solver: z3.Solver,
    unless_faulted: bool = False,
) -> z3.BoolRef:
    """The condition on `store` under which `pred` fails (never where the
    store is faulted, if `unless_faulted`), with `solver`'s assertions as the
    context that prunes paths."""

    def fails(check: Callable[[View], bool]) -> list[z3.BoolRef]:
        def judge(p: Path) -> bool:
            if unless_faulted and p.test(store.fault):
                return False  # decided first: every condition holds of a faulted store
            return check(View(p, store, codes, version))

        return [x.condition for x in explore(judge, solver) if x.result]

    if not isinstance(pred, ForSome):
        return any_of(fails(pred))
    return any_of([c for i in range(codes.contrefs) for c in fails(pred.at(i))])


# -- state invariants --------------------------------------------------------------


def i1(v: View) -> bool:
    if v.nact == 0:
        return False
    members, acyclic = v.walk(v.link(v.s.chain))
    return not acyclic or members[-1] != v.codes.init(v.nact - 1)


def i2(v: View) -> bool:
    active = {code for chain in v.active_chains() for code in chain}
    for i in v.suspended():
        members, _ = v.walk(v.codes.cont(i))
        if members[-1] != v.codes.absent or v.codes.cont(i) in active:
            return True
    return False


def i3(v: View) -> bool:
    return any(v.p.test(z3.And(a.state != RUNNING, a.state != PARENT)) for a in v.s.acts[: v.nact])


def i4(v: View) -> bool:
    return any(
        v.p.test(z3.Or(z3.And(st.nhandlers > 0, st.state != PARENT), st.fshi > st.nhandlers))
        for _, st in v.stacks()
    )


def _i6(v: View, i: int) -> bool:
    c = v.s.conts[i]
    if v.is_(c.state, FRESH):
        return v.p.test(z3.Or(c.last_ancestor != i, c.parent != 0))
    if v.is_(c.state, SUSPENDED):
        members, _ = v.walk(v.codes.cont(i))
        end = members[-2] if len(members) >= 2 else members[0]
        return not v.codes.is_cont(end) or not v.is_(c.last_ancestor, v.codes.index(end))
    return False


i6 = ForSome(_i6)


def i7(v: View) -> bool:
    if v.nact == 0:
        return False
    running = v.link(v.s.running)
    live = v.s.vmctx
    return v.p.test(z3.Or(live.stack_limit != v.native_stack(running), live.fp != running))


def i8(v: View) -> bool:
    return any(
        code == v.codes.absent or not v.valid_limits(code, v.version)
        for chain in v.active_chains()
        for code in chain[1:]
    )


def _i9(v: View, i: int) -> bool:
    c = v.s.conts[i]
    if v.is_(c.state, FRESH):
        return v.p.test(z3.Or(c.limits.fp != 0, c.limits.sp != 0))
    return v.is_(c.state, SUSPENDED) and v.suspended_chain_breaks(i, Version.V44)


i9 = ForSome(_i9)


def _i11(v: View, i: int) -> bool:
    c = v.s.conts[i]
    lone_fresh = z3.And(c.state == FRESH, c.parent == 0)
    broken = z3.Not(z3.Or(lone_fresh, c.state == SUSPENDED))
    return v.p.test(z3.And(v.s.handles[i][CURRENT] >= 1, broken))


i11 = ForSome(_i11)


def i12(v: View) -> bool:
    return any(
        v.p.test(z3.And(st.state != PARENT, z3.Or(st.nhandlers > 0, st.fshi != 0)))
        for _, st in v.stacks()
    )


def i13(v: View) -> bool:
    live = (FRESH, RUNNING, PARENT)
    return any(
        v.p.test(z3.And(z3.Or(*(c.state == s for s in live)), c.values != 0))
        for c in v.s.conts[: v.ncont]
    )


def i14(v: View) -> bool:
    chains = v.active_chains()
    on_chains: set[int] = set()
    for chain in chains:
        on_chains.update(chain)
        head, rest = chain[0], [c for c in chain[1:] if c != v.codes.absent]
        if head == v.codes.absent or not v.is_(v.stack(head).state, RUNNING):
            return True
        if any(not v.is_(v.stack(code).state, PARENT) for code in rest):
            return True
    if chains and v.link(v.s.running) != chains[0][0]:
        return True
    return any(
        v.is_(c.state, RUNNING) and v.codes.cont(i) not in on_chains
        for i, c in enumerate(v.s.conts[: v.ncont])
    )


def _i15(v: View, i: int) -> bool:
    c = v.s.conts[i]
    expected = _expected_context(v, i)
    return expected is not None and not v.p.test(
        z3.And(c.cc_kind == expected[0], c.cc_stack == expected[1])
    )


i15 = ForSome(_i15)


def _expected_context(v: View, i: int) -> tuple[int, int] | None:
    c = v.s.conts[i]
    if v.is_(c.state, FRESH):
        return CC_LAUNCHPAD, 0
    if v.is_(c.state, RETURNED) or v.is_(c.state, TRAPPED):
        return None
    parent = v.link(c.parent)
    if parent != v.codes.absent:
        return CC_RESUME_POINT, parent
    for head in v.suspended():
        if v.is_(v.s.conts[head].last_ancestor, i):
            return CC_SUSPENSION_POINT, v.codes.cont(head)
    return CC_NONE, 0  # a live contref never holds it


def i16(v: View) -> bool:
    seen: set[int] = set()
    starts = [chain[0] for chain in v.active_chains()]
    starts += [v.codes.cont(i) for i in v.suspended()]
    for start in starts:
        members, acyclic = v.walk(start)
        if not acyclic:
            return True
        for code in members:
            if v.codes.is_cont(code) and code in seen:
                return True
            seen.add(code)
    return False


def i18(v: View) -> bool:
    return any(
        v.p.test(z3.And(c.state != RETURNED, c.state != TRAPPED, c.limits.stack_limit != i))
        for i, c in enumerate(v.s.conts[: v.ncont])
    )


def i23(v: View) -> bool:
    if v.nact == 0:
        return False
    running = v.link(v.s.running)
    return v.p.test(z3.Or(v.s.vmctx.sp != running, v.s.vmctx.th != running))


def i25(v: View) -> bool:
    return any(
        v.p.test(
            z3.Or(
                z3.And(c.state == RETURNED, c.args != 0),
                z3.And(c.state == TRAPPED, z3.Or(c.args != 0, c.values != 0)),
            )
        )
        for c in v.s.conts[: v.ncont]
    )


def s0(v: View) -> bool:
    return v.p.test(v.s.fault)


STATE_PREDICATES: dict[str, StatePredicate] = {
    "I1": i1, "I2": i2, "I3": i3, "I4": i4, "I6": i6, "I7": i7, "I8": i8, "I9": i9,
    "I11": i11, "I12": i12, "I13": i13, "I14": i14, "I15": i15, "I16": i16, "I18": i18,
    "I23": i23, "I25": i25, "S0": s0,
}  # fmt: skip


# -- transition properties ------------------------------------------------------------


@dataclass
class Transition:
    """A step as the transition predicates see it."""

    before: View
    kind: Kind
    handle: int
    tag: Val
    after: View
    events: Events


CONSUMING = (Kind.CONT_BIND, Kind.RESUME, Kind.SWITCH, Kind.RESUME_THROW)


def i10(t: Transition) -> bool:
    """Only a consuming instruction bumps a revision, and only its operand's."""
    bumps = t.events.bumps
    return bool(bumps) and (t.kind not in CONSUMING or bumps != [t.handle])


def i17(t: Transition) -> bool:
    allowed = [(int(a), int(b)) for a, b in ALLOWED_TRANSITIONS]
    for code, old, new in t.events.state_changes:
        pairs = {(RUNNING, PARENT), (PARENT, RUNNING)} if t.after.codes.is_init(code) else allowed
        if not t.before.p.within(old, {new} | {a for a, b in pairs if b == new}):
            return True
    return False


def i19(t: Transition) -> bool:
    accepted = {
        "resume": {"RETURN", "SUSPEND", "TRAP"},
        "suspend": {"RESUME", "SWITCH", "RESUME_THROW"},
        "launchpad": {"RESUME", "SWITCH", "RESUME_THROW"},
    }
    return any(effect not in accepted[site] for site, effect in t.events.deliveries)


def i21(t: Transition) -> bool:
    if t.events.search is None:
        return False
    return _innermost_handler(t) != t.events.search


def _innermost_handler(t: Transition) -> tuple[int, int, int] | None:
    v = t.before
    members, _ = v.walk(v.link(v.s.chain))
    for child, parent in zip(members, members[1:], strict=False):
        if not (v.codes.is_cont(parent) or v.codes.is_init(parent)) or parent == v.codes.dead_init:
            return None
        st = v.stack(parent)
        for k, h in enumerate(st.handlers):
            in_kind = (
                k < st.fshi if t.kind == Kind.SUSPEND else z3.And(st.fshi <= k, k < st.nhandlers)
            )
            if v.p.test(z3.And(in_kind, h == t.tag)):
                return parent, v.codes.index(child), k
    return None


def i22(t: Transition) -> bool:
    if t.kind not in (Kind.HOST_CALL, Kind.HOST_INVOKE) or t.after.p.test(t.after.s.fault):
        return False
    k = t.after.nact - 1
    return t.after.link(t.after.s.chain) != t.after.codes.init(k) or t.after.p.test(
        t.after.s.acts[k].nhandlers > 0
    )


def s1(t: Transition) -> bool:
    return any(
        t.after.codes.is_cont(on)
        and t.after.is_(t.after.s.conts[t.after.codes.index(on)].state, RETURNED)
        for on, _ in t.events.unwinds
    )


def s2(t: Transition) -> bool:
    return any(to != on for on, to in t.events.unwinds)


def s3(t: Transition) -> bool:
    a, b = t.after, t.before
    if a.nact == 0 or a.nact >= b.nact or a.p.test(a.s.fault):
        return False
    if a.nact != b.nact - 1:
        return True
    return a.link(a.s.chain) != b.link(b.s.acts[b.nact - 1].caller)


def s4(t: Transition) -> bool:
    v = t.before
    if t.kind not in (Kind.SUSPEND, Kind.SWITCH) or v.nact == 0:
        return False
    members, acyclic = v.walk(v.link(v.s.chain))
    return not acyclic or not v.codes.is_init(members[-1])


def s5(t: Transition) -> bool:
    v = t.before
    if t.kind != Kind.GC:
        return False
    for i in v.suspended():
        members, _ = v.walk(v.link(v.s.conts[i].parent))
        if not v.codes.is_init(members[-1]) or not v.is_(v.s.conts[i].last_ancestor, i):
            return True
    return False


TRANSITION_PREDICATES: dict[str, Callable[[Transition], bool]] = {
    "I10": i10, "I17": i17, "I19": i19, "I21": i21, "I22": i22,
    "S1": s1, "S2": s2, "S3": s3, "S4": s4, "S5": s5,
}  # fmt: skip


def state_violation(
    prop: str, store: Store, codes: Codes, version: Version, solver: z3.Solver
) -> z3.BoolRef:
    """The condition on `store` under which state property `prop` fails.  As
    for the explicit checker, a faulted store is judged by S0 alone."""
    return violation(STATE_PREDICATES[prop], store, codes, version, solver, prop != "S0")
