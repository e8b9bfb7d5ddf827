"""The runtime's shared sub-procedures over a symbolic store (spec §3.0, §2.4, §2.6).

Written from the spec, independently of `model/machine.py`: the symbolic
engines must not share the explicit successor function, or a cross-check
would prove nothing.  Field reads may be z3 terms; control decisions go
through the path (`pick`, `test`), so each path is one way through §3.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import z3

from contcheck.model import Bounds, Version

from .paths import Path
from .state import CURRENT, STALE, Act, Codes, Cont, Limits, Stack, Store, Val, zero_act

# VMStackState (§2.8), control context kinds (I15), trap codes (HOST_ERRORS).
FRESH, RUNNING, PARENT, SUSPENDED, RETURNED, TRAPPED = range(6)
CC_NONE, CC_LAUNCHPAD, CC_RESUME_POINT, CC_SUSPENSION_POINT = range(4)
NULL_REFERENCE, ALREADY_CONSUMED, UNHANDLED_TAG, UNREACHABLE, UNCAUGHT_EXCEPTION = range(1, 6)
HOST_STACK, NO_STACK_LIMIT = -1, -2
ARITY, SUSPEND_ARITY, RESULT_ARITY = 2, 1, 1  # the payload family of model/instructions.py


class SymTrap(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class SymUB(Exception):
    """Undefined behaviour: the path ends in a faulted store."""


@dataclass
class Events:
    """What a path did besides its store (what the transition properties read)."""

    unwinds: list[tuple[int, int]] = field(default_factory=list)  # (on, to) link codes
    deliveries: list[tuple[str, str]] = field(default_factory=list)  # (site, effect)
    search: tuple[int, int, int] | None = None  # (handler stack, child contref, clause)
    state_changes: list[tuple[int, Val, int]] = field(default_factory=list)
    host_trap: int = 0
    bumps: list[int] = field(default_factory=list)  # contrefs whose revision += 1


def clone(s: Store) -> Store:
    """A copy whose stacks and handle counters can be written (values shared)."""
    return replace(
        s,
        conts=[replace(c, handlers=list(c.handlers)) for c in s.conts],
        acts=[replace(a, handlers=list(a.handlers)) for a in s.acts],
        handles=[list(pair) for pair in s.handles],
    )


def zero_limits() -> Limits:
    return Limits(NO_STACK_LIMIT, 0, 0, 0)


class Exec:
    """One path's working store, with the §3.0 sub-procedures."""

    def __init__(self, path: Path, pre: Store, bounds: Bounds, version: Version) -> None:
        self.p = path
        self.s = clone(pre)
        self.bounds = bounds
        self.v48 = version >= Version.V48
        self.codes = Codes(bounds.contrefs, bounds.host_depth)
        self.events = Events()

    # -- stacks ---------------------------------------------------------------

    def link(self, v: Val) -> int:
        return self.p.pick(v, self.codes.all)

    def contref(self, v: Val) -> int:
        """A contref index held in a field; anything else is an invalid pointer."""
        index = self.p.pick(v, range(-1, self.bounds.contrefs))
        if index < 0:
            raise SymUB
        return index

    def stack(self, code: int) -> Stack:
        """The CSI a link points to (§2.2); Absent or a dead frame is UB."""
        if self.codes.is_cont(code):
            return self.s.conts[self.codes.index(code)]
        j = self.codes.index(code)
        if self.codes.is_init(code) and j >= 0 and self.p.test(self.s.nact > j):
            return self.s.acts[j]
        raise SymUB

    def cont(self, code: int) -> Cont:
        if not self.codes.is_cont(code):
            raise SymUB
        return self.s.conts[self.codes.index(code)]

    def state_of(self, st: Stack) -> int:
        return self.p.pick(st.state, range(6))

    def set_state(self, code: int, new: int) -> None:
        st = self.stack(code)
        self.events.state_changes.append((code, st.state, new))
        st.state = new

    def clear_handlers(self, st: Stack) -> None:
        st.nhandlers, st.fshi = 0, 0
        st.handlers = [0] * self.bounds.clauses

    # -- limits (§3.0 SAVE_LIMITS / RESTORE_LIMITS) -------------------------------

    def save_limits(self, code: int, with_stack_limit: bool) -> None:
        st = self.stack(code)
        old, live = st.limits, self.s.vmctx
        st.limits = Limits(
            live.stack_limit if with_stack_limit else old.stack_limit,
            live.fp,
            live.sp if self.v48 else old.sp,
            live.th if self.v48 else old.th,
        )

    def restore_limits(self, code: int) -> None:
        saved, live = self.stack(code).limits, self.s.vmctx
        self.s.vmctx = Limits(
            saved.stack_limit,
            saved.fp,
            saved.sp if self.v48 else live.sp,
            saved.th if self.v48 else live.th,
        )

    def enter_trampoline(self, code: int) -> None:
        self.s.vmctx = Limits(self.s.vmctx.stack_limit, code, code, code)

    # -- payloads (§3.0 STORE_PAYLOADS) -------------------------------------------

    def remaining(self, c: Cont) -> Val:
        held = c.args if self.state_of(c) == FRESH else c.values
        return z3.If(held >= ARITY, 0, ARITY - held)

    def store_payloads(self, c: Cont, count: Val) -> None:
        if self.state_of(c) == FRESH:
            c.args = c.args + count
        else:
            c.values = c.values + count

    # -- handles (§2.6) -----------------------------------------------------------

    def give_handle(self, index: int, kind: int = CURRENT) -> None:
        """A handle for wasm; with every slot full the program drops it."""
        total = sum(n for pair in self.s.handles for n in pair)
        room = z3.If(total < self.bounds.handles, 1, 0)
        pair = self.s.handles[index]
        pair[kind] = pair[kind] + room

    def bump_revision(self, index: int) -> None:
        """revision += 1: every handle to the contref becomes stale."""
        self.s.conts[index].revision = 1
        self.events.bumps.append(index)
        pair = self.s.handles[index]
        pair[STALE], pair[CURRENT] = pair[STALE] + pair[CURRENT], 0

    # -- SEARCH (§3.0) ------------------------------------------------------------

    def search(self, start: int, tag: Val, switch: bool) -> tuple[int, int, int]:
        """Innermost first, lowest clause first, clauses of the other kind skipped."""
        code, seen = start, set()
        while True:
            if self.codes.is_init(code):
                raise SymTrap(UNHANDLED_TAG)
            if not self.codes.is_cont(code) or code in seen:
                raise SymUB
            seen.add(code)
            parent = self.link(self.cont(code).parent)
            if parent == self.codes.absent:
                raise SymUB
            info = self.stack(parent)
            lo, hi = (info.fshi, info.nhandlers) if switch else (0, info.fshi)
            for k, h in enumerate(info.handlers):
                if self.p.test(z3.And(lo <= k, k < hi, h == tag)):
                    found = (parent, self.codes.index(code), k)
                    self.events.search = found
                    return found
            code = parent


class Activations:
    """Host entry and exit (§2.11, §3.9) on an `Exec`."""

    def __init__(self, x: Exec) -> None:
        self.x = x

    def enter(self, caller: Val) -> None:
        x, s = self.x, self.x.s
        j = x.p.pick(s.nact, range(x.bounds.host_depth + 1))
        new = x.codes.init(j)
        saved_chain = s.chain if x.v48 else new  # v44 saves the new chain: #13322
        s.acts[j] = Act(
            RUNNING, 0, [0] * x.bounds.clauses, 0, zero_limits(), caller, saved_chain, s.vmctx
        )
        s.nact, s.chain, s.running = j + 1, new, new
        if x.p.test(caller == x.codes.absent):
            s.vmctx = replace(s.vmctx, stack_limit=HOST_STACK)
        x.enter_trampoline(new)

    def exit(self, trap: int = 0) -> None:
        x, s = self.x, self.x.s
        j = x.p.pick(s.nact, range(x.bounds.host_depth + 1)) - 1
        act = s.acts[j]
        saved = x.link(act.saved_chain)
        if x.codes.is_init(saved) and x.codes.index(saved) >= j:
            saved = x.codes.dead_init
        s.chain, s.vmctx, s.running = saved, act.saved, act.caller
        s.acts[j] = zero_act(x.bounds)  # the slot is unused again
        s.nact = j
        if trap and j > 0:
            s.host_error = trap
        elif trap:
            x.events.host_trap = trap
