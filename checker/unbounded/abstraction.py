"""The explicit model's states as stores of the unbounded encoding.

`abstract` maps a `State` to the fields `model.py` keeps, over a
closed finite set of stacks.  Two checks follow (issue: z3, cross-checking
the engines): every reachable explicit v48 state with one activation
satisfies the unbounded invariant and lemmas (so they are not stronger than
what the model reaches), and every abstract step is enabled in some such
state (so no consecution over it is vacuous).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from contcheck.checker.explicit import explore
from contcheck.model import ContinuationModel, State
from contcheck.model.canonical import decode
from contcheck.model.state import (
    HOST_STACK,
    NO_STACK_LIMIT,
    ZERO_LIMITS,
    ChainKind,
    CtrlKind,
    Link,
    VMStackLimits,
    VMStackState,
)
from contcheck.properties.chains import walk

from .model import (
    INIT,
    LAUNCHPAD,
    NIL,
    NO_CONTEXT,
    RESUME_POINT,
    STATES_IN_ORDER,
    STEPS,
    SUSPENSION_POINT,
    Fn,
    Stack,
    Store,
)
from .properties import Claim

# VMStackState discriminants (§2.8) to the encoding's states (0 is Unallocated).
STATES = {value: STATES_IN_ORDER[value + 1] for value in range(6)}
CONTEXTS = {
    CtrlKind.NONE: NO_CONTEXT,
    CtrlKind.LAUNCHPAD: LAUNCHPAD,
    CtrlKind.RESUME_POINT: RESUME_POINT,
    CtrlKind.SUSPENSION_POINT: SUSPENSION_POINT,
}


@dataclass
class Agreement:
    states: int = 0
    violations: list[tuple[str, State]] = field(default_factory=list)  # claim, state
    enabled: dict[str, int] = field(default_factory=dict)  # step -> states enabling it


def abstract(state: State) -> tuple[Store, list[z3.BoolRef]]:
    """The store, and the facts that make its stacks exactly NIL, INIT, k0...
    and one unallocated slot."""
    ks = [z3.Const(f"k{i}", Stack) for i in range(len(state.continuations))]
    spare = z3.Const("unallocated", Stack)  # a slot cont.new may take
    elements = [NIL, INIT, *ks, spare]
    v = z3.Const("v", Stack)
    facts = [z3.Distinct(*elements), z3.ForAll([v], z3.Or(*(v == e for e in elements)))]

    def of(link: Link) -> z3.ExprRef:
        if link.kind == ChainKind.CONTINUATION:
            return ks[link.index]
        return INIT if link.kind == ChainKind.INITIAL_STACK else NIL

    conts = state.continuations
    active = bool(state.activations)
    init_state = state.activations[0].csi.state if active else VMStackState.RUNNING
    current = {h.contref for h in state.handles if h.witness == conts[h.contref].revision}
    parents = [of(c.parent_chain) for c in conts]
    reach = _closure(state)

    def limit(saved: VMStackLimits, field: int) -> z3.ExprRef:
        """A stack_limit names a native stack (the host's is init's); the
        entry fields name a stack."""
        if field > 0:
            return of((saved.entry_fp, saved.entry_sp, saved.entry_trap_handler)[field - 1])
        value = saved.stack_limit
        return INIT if value == HOST_STACK else NIL if value == NO_STACK_LIMIT else ks[value]

    def live(field: int) -> z3.ExprRef:
        return limit(state.vmctx, field)

    def limits(field: int) -> Fn:
        init = state.activations[0].csi.limits if active else ZERO_LIMITS
        values = [limit(c.limits, field) for c in conts]
        return _table(ks, values, limit(init, field), NIL)

    no = z3.BoolVal(False)
    handlers = [z3.BoolVal(bool(c.handlers)) for c in conts]
    init_handlers = z3.BoolVal(active and bool(state.activations[0].csi.handlers))
    fshi = [z3.BoolVal(c.first_switch_handler_index > 0) for c in conts]
    init_fshi = z3.BoolVal(active and state.activations[0].csi.first_switch_handler_index > 0)
    ancestors = [ks[c.last_ancestor] if c.last_ancestor >= 0 else NIL for c in conts]
    store = Store(
        state=_table(ks, [STATES[c.state] for c in conts], STATES[init_state], STATES_IN_ORDER[0]),
        parent=_table(ks, parents, NIL, NIL),
        last_ancestor=_table(ks, ancestors, NIL, NIL),
        current=_table(ks, [z3.BoolVal(i in current) for i in range(len(conts))], no, no),
        handlers=_table(ks, handlers, init_handlers, no),
        fshi=_table(ks, fshi, init_fshi, no),
        cc=_table(ks, [CONTEXTS[CtrlKind(c.cc.kind)] for c in conts], NO_CONTEXT, NO_CONTEXT),
        cc_at=_table(ks, [of(c.cc.stack) for c in conts], NIL, NIL),
        args=_table(ks, [z3.BoolVal(c.args_len > 0) for c in conts], no, no),
        values=_table(ks, [z3.BoolVal(c.values_len > 0) for c in conts], no, no),
        limit=limits(0),
        fp=limits(1),
        sp=limits(2),
        th=limits(3),
        reach=lambda x, y: z3.Or(
            z3.And(x == y, x != NIL),
            *(z3.And(x == _elem(ks, a), y == _elem(ks, b)) for a, b in reach),
        ),
        head=of(state.stack_chain) if active else INIT,
        active=z3.BoolVal(active),
        live=(live(0), live(1), live(2), live(3)),
    )
    return store, facts


def _table(
    ks: list[z3.ExprRef], values: list[z3.ExprRef], at_init: z3.ExprRef, other: z3.ExprRef
) -> Fn:
    """A function of stacks given by its value on each contref and INIT."""

    def f(x: z3.ExprRef) -> z3.ExprRef:
        out = z3.If(x == INIT, at_init, other)
        for k, value in zip(ks, values, strict=True):
            out = z3.If(x == k, value, out)
        return out

    return f


def _elem(ks: list[z3.ExprRef], index: int) -> z3.ExprRef:
    return INIT if index < 0 else ks[index]


def _closure(state: State) -> set[tuple[int, int]]:
    """Pairs (a, b), a != b, with b on contref a's chain; -1 is the initial
    stack."""
    out = set()
    for a in range(len(state.continuations)):
        members, _ = walk(state, Link(ChainKind.CONTINUATION, a))
        for link in members[1:]:
            if link.kind == ChainKind.CONTINUATION:
                out.add((a, link.index))
            elif link.kind == ChainKind.INITIAL_STACK:
                out.add((a, -1))
    return out


def agree(model: ContinuationModel, chosen: list[Claim], max_states: int) -> Agreement:
    """Check up to `max_states` reachable states (breadth first) of `model`,
    which must have one activation (`host_depth` 1)."""
    result = Agreement(enabled={s.name: 0 for s in STEPS})
    for state in _reachable(model, max_states):
        result.states += 1
        store, facts = abstract(state)
        for c in chosen:
            if not c.transition and _sat(facts, z3.Not(c.holds(store))):
                result.violations.append((c.id, state))
        for step in STEPS:
            if _sat(facts, step.apply(store, "a")[1]):
                result.enabled[step.name] += 1
    return result


def _sat(facts: list[z3.BoolRef], goal: z3.BoolRef) -> bool:
    solver = z3.Solver()
    solver.add(*facts, goal)
    return bool(solver.check() == z3.sat)


def _reachable(model: ContinuationModel, limit: int) -> list[State]:
    """The first `limit` states of the checker's breadth-first search that
    are not faulted (a faulted store is outside what the encoding keeps)."""
    run = explore(model, [], max_states=2 * limit)  # faulted states are rare
    return [state for state in map(decode, run.store.keys) if not state.fault][:limit]
