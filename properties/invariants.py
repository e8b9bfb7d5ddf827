"""State invariants of spec §4, one predicate each.

Each returns None when it holds and a one-line description otherwise.  They
hold while wasm executes; with no activation only the store-wide ones apply.
"""

from __future__ import annotations

from contcheck.model.state import (
    ABSENT,
    LAUNCHPAD,
    ChainKind,
    ControlContext,
    CtrlKind,
    Link,
    State,
    Version,
    VMStackState,
    continuation,
    initial_stack,
)

from .chains import active_chains, native_stack, state_of, suspended_heads, walk

S = VMStackState


def i1_store_chain_shape(state: State, version: Version) -> str | None:
    if not state.activations:
        return None
    members, acyclic = walk(state, state.stack_chain)
    end = members[-1]
    innermost = len(state.activations) - 1
    if not acyclic:
        return f"the store chain from {state.stack_chain} has a cycle"
    if end != initial_stack(innermost):
        return f"the store chain {_draw(members)} does not end in the live init{innermost}"
    return None


def i2_suspended_chains(state: State, version: Version) -> str | None:
    active = {link for chain in active_chains(state) for link in chain}
    for i in suspended_heads(state):
        members, _ = walk(state, continuation(i))
        if members[-1] != ABSENT:
            return f"suspended k{i}'s chain {_draw(members)} does not end in Absent"
        if continuation(i) in active:
            return f"suspended k{i} is on an active chain"
    return None


def i3_initial_stack_state(state: State, version: Version) -> str | None:
    for k, act in enumerate(state.activations):
        if act.csi.state not in (S.RUNNING, S.PARENT):
            return f"init{k} is {S(act.csi.state).name}"
    return None


def _stacks(state: State) -> list[tuple[Link, int, tuple[int, ...], int]]:
    rows = [
        (continuation(i), c.state, c.handlers, c.first_switch_handler_index)
        for i, c in enumerate(state.continuations)
    ]
    rows += [
        (
            initial_stack(k),
            a.csi.state,
            a.csi.handlers,
            a.csi.first_switch_handler_index,
        )
        for k, a in enumerate(state.activations)
    ]
    return rows


def i4_handlers_only_in_parent(state: State, version: Version) -> str | None:
    for link, st, handlers, fshi in _stacks(state):
        if handlers and st != S.PARENT:
            return f"{link} is {S(st).name} with handlers {handlers}"
        if fshi > len(handlers):
            return f"{link} has first_switch_handler_index {fshi} > {len(handlers)} handlers"
    return None


def i6_last_ancestor(state: State, version: Version) -> str | None:
    for i, c in enumerate(state.continuations):
        if c.state == S.FRESH and (c.last_ancestor != i or c.parent_chain != ABSENT):
            return f"Fresh k{i} has last_ancestor {c.last_ancestor}, parent {c.parent_chain}"
        if c.state == S.SUSPENDED:
            members, _ = walk(state, continuation(i))
            end = members[-2] if len(members) >= 2 else members[0]
            if end != continuation(c.last_ancestor):
                return f"suspended k{i}'s last_ancestor is k{c.last_ancestor}, chain ends at {end}"
    return None


def i7_live_limits(state: State, version: Version) -> str | None:
    if not state.activations:
        return None
    live, running = state.vmctx, state.running
    if live.stack_limit != native_stack(state, running):
        return f"the live stack_limit guards stack {live.stack_limit}, but {running} runs"
    if live.entry_fp != running:
        return f"the live entry_fp is {live.entry_fp}'s trampoline frame, but {running} runs"
    return None


def i8_parent_limits(state: State, version: Version) -> str | None:
    for chain in active_chains(state):
        for link in chain[1:]:
            if link.kind == ChainKind.ABSENT or not _valid_limits(state, link, version):
                return f"{link} on an active chain has invalid saved limits"
    return None


def i9_suspended_limits(state: State, version: Version) -> str | None:
    for i, c in enumerate(state.continuations):
        if c.state == S.FRESH and (c.limits.entry_fp, c.limits.entry_sp) != (ABSENT, ABSENT):
            return f"Fresh k{i} has entry fields {c.limits}"
    for i in suspended_heads(state):
        members, _ = walk(state, continuation(i))
        for link in members[:-1]:
            if not _valid_limits(state, link, Version.V44):
                return f"{link} on k{i}'s suspended chain has invalid stack_limit/entry_fp"
    return None


def _valid_limits(state: State, link: Link, version: Version) -> bool:
    """Saved limits name the stack's own native stack and trampoline frame;
    v48 also saves entry sp and trap handler (§2.4)."""
    limits = (
        state.continuations[link.index].limits
        if link.kind == ChainKind.CONTINUATION
        else state.activations[link.index].csi.limits
    )
    fields = [limits.entry_fp]
    if version >= Version.V48:
        fields += [limits.entry_sp, limits.entry_trap_handler]
    return limits.stack_limit == native_stack(state, link) and all(f == link for f in fields)


def i11_valid_handles(state: State, version: Version) -> str | None:
    for h in state.handles:
        c = state.continuations[h.contref]
        if h.witness != c.revision:
            continue
        lone_fresh = c.state == S.FRESH and c.parent_chain == ABSENT
        if not (lone_fresh or c.state == S.SUSPENDED):
            return f"valid handle {h} to a {S(c.state).name} continuation"
    return None


def i12_no_stale_handler_list(state: State, version: Version) -> str | None:
    for link, st, handlers, fshi in _stacks(state):
        if st != S.PARENT and (handlers or fshi):
            return f"{S(st).name} {link} keeps handlers {handlers}, fshi {fshi}"
    return None


def i13_values_consumed(state: State, version: Version) -> str | None:
    for i, c in enumerate(state.continuations):
        if c.state in (S.FRESH, S.RUNNING, S.PARENT) and c.values_len:
            return f"{S(c.state).name} k{i} holds {c.values_len} unconsumed values"
    return None


def i14_one_running_stack(state: State, version: Version) -> str | None:
    chains = active_chains(state)
    on_chains: set[Link] = set()
    for chain in chains:
        head, rest = chain[0], [x for x in chain[1:] if x.kind != ChainKind.ABSENT]
        on_chains.update(chain)
        if head.kind == ChainKind.ABSENT or state_of(state, head) != S.RUNNING:
            return f"head {head} of an active chain is not Running"
        for link in rest:
            if state_of(state, link) != S.PARENT:
                return f"{link} below the head of an active chain is not Parent"
    if chains and state.running != chains[0][0]:
        return f"{state.running} runs but the store chain's head is {chains[0][0]}"
    for i, c in enumerate(state.continuations):
        if c.state == S.RUNNING and continuation(i) not in on_chains:
            return f"k{i} is Running outside every active chain"
    return None


def i15_control_contexts(state: State, version: Version) -> str | None:
    for i, c in enumerate(state.continuations):
        expected = _expected_context(state, i)
        if expected is not None and c.cc != expected:
            return f"k{i} ({S(c.state).name}) holds {c.cc}, expected {expected}"
    return None


def _expected_context(state: State, i: int) -> ControlContext | None:
    c = state.continuations[i]
    if c.state == S.FRESH:
        return LAUNCHPAD
    if c.state in (S.RETURNED, S.TRAPPED):
        return None
    if c.parent_chain != ABSENT:
        return ControlContext(CtrlKind.RESUME_POINT, c.parent_chain)
    # The end of a suspended chain holds its head's suspension point.
    for head in suspended_heads(state):
        if state.continuations[head].last_ancestor == i:
            return ControlContext(CtrlKind.SUSPENSION_POINT, continuation(head))
    return ControlContext(CtrlKind.NONE)  # matches nothing a live contref holds


def i16_chains_disjoint(state: State, version: Version) -> str | None:
    seen: set[Link] = set()
    starts = [chain[0] for chain in active_chains(state)]
    starts += [continuation(i) for i in suspended_heads(state)]
    for start in starts:
        members, acyclic = walk(state, start)
        if not acyclic:
            return f"the chain from {start} has a cycle"
        for link in members:
            if link.kind == ChainKind.CONTINUATION and link in seen:
                return f"{link} is on two chains"
            seen.add(link)
    return None


def i18_fixed_stack_limit(state: State, version: Version) -> str | None:
    for i, c in enumerate(state.continuations):
        if c.state not in (S.RETURNED, S.TRAPPED) and c.limits.stack_limit != i:
            return f"k{i}'s saved stack_limit guards stack {c.limits.stack_limit}"
    return None


def i23_entry_fields_owned(state: State, version: Version) -> str | None:
    if not state.activations:
        return None
    live, running = state.vmctx, state.running
    for name, value in (("sp", live.entry_sp), ("trap_handler", live.entry_trap_handler)):
        if value != running:
            return f"last_wasm_entry_{name} belongs to {value}'s trampoline, but {running} runs"
    return None


def i25_terminal_buffers(state: State, version: Version) -> str | None:
    for i, c in enumerate(state.continuations):
        if c.state == S.RETURNED and c.args_len:
            return f"Returned k{i} keeps {c.args_len} args"
        if c.state == S.TRAPPED and (c.args_len or c.values_len):
            return f"Trapped k{i} keeps payloads ({c.args_len} args, {c.values_len} values)"
    return None


def s0_no_undefined_behaviour(state: State, version: Version) -> str | None:
    return state.fault or None


def _draw(members: list[Link]) -> str:
    return " -> ".join(str(m) for m in members)
