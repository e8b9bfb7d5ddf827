"""The safety properties S1-S5 (transition predicates)."""

from __future__ import annotations

from contcheck.model import Action, Event, Kind, State
from contcheck.model.state import ChainKind, VMStackState

from .chains import suspended_heads, walk


def s1_trap_never_returns(before: State, action: Action, after: State, event: Event) -> str | None:
    """A trap raised while a continuation runs never reaches its resumer as a
    normal return (§3.8, #13028)."""
    for unwind in event.unwinds:
        if unwind.on.kind != ChainKind.CONTINUATION:
            continue
        if after.continuations[unwind.on.index].state == VMStackState.RETURNED:
            return f"the trap '{unwind.message}' on {unwind.on} reached its resumer as a return"
    return None


def s2_trap_handler_of_running_stack(
    before: State, action: Action, after: State, event: Event
) -> str | None:
    """A trap always unwinds to the entry trap handler of the running stack
    (§3.8, §5.1, #13298)."""
    for unwind in event.unwinds:
        if unwind.to != unwind.on:
            return f"a trap on {unwind.on} unwinds to {unwind.to}'s trampoline frame"
    return None


def s3_host_return_restores_chain(
    before: State, action: Action, after: State, event: Event
) -> str | None:
    """When a host call that re-entered wasm returns, the store's chain is what
    it was before the call (§3.9, #13322)."""
    if not after.activations or len(after.activations) >= len(before.activations) or after.fault:
        return None
    if len(after.activations) != len(before.activations) - 1:
        return f"{action} left {len(before.activations) - len(after.activations)} activations"
    caller = before.activations[-1].caller
    if after.stack_chain != caller:
        return f"after the host call returns the store chain is {after.stack_chain}, not {caller}"
    return None


def s4_search_terminates(before: State, action: Action, after: State, event: Event) -> str | None:
    """Every handler search terminates: no cycle in the chain it walks (§5.6)."""
    if action.kind not in (Kind.SUSPEND, Kind.SWITCH) or not before.activations:
        return None
    members, acyclic = walk(before, before.stack_chain)
    if not acyclic or members[-1].kind != ChainKind.INITIAL_STACK:
        return f"the search from {before.stack_chain} does not reach an initial stack"
    return None


def s5_gc_walk_shape(before: State, action: Action, after: State, event: Event) -> str | None:
    """GC root tracing of a suspended continuation finds its chain in the shape
    the walk assumes: ending in an initial stack, with the head's own control
    context holding its suspension point (§3.11, #14239)."""
    if action.kind != Kind.GC:
        return None
    for i in suspended_heads(before):
        members, _ = walk(before, before.continuations[i].parent_chain)
        if members[-1].kind != ChainKind.INITIAL_STACK:
            return f"suspended k{i}'s chain ends in {members[-1]}, not an initial stack"
        if before.continuations[i].last_ancestor != i:
            return (
                f"suspended k{i}'s suspension point is in k{before.continuations[i].last_ancestor}"
            )
    return None
