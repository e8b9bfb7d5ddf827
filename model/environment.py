"""The most general wasm program: every action enabled in a state, within bounds.

At each step the running stack may execute any instruction on any handle it
holds (or on a null reference), with any handler clauses, and the host may
re-enter wasm, catch or return a nested trap, or run a GC.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product

from .actions import UNCAUGHT, Action, Kind
from .bounds import Bounds
from .instructions import remaining
from .state import (
    ChainKind,
    Handle,
    Link,
    State,
    Version,
    VMStackState,
    chain_members,
    continuation,
)

Clauses = tuple[tuple[int, ...], tuple[int, ...]]


@lru_cache(maxsize=64)
def clause_lists(tags: int, clauses: int) -> tuple[Clauses, ...]:
    """Every `resume` handler table of at most `clauses` clauses, as Wasmtime
    stores it: suspend clauses in order, then switch clauses in order (§2.3).
    Tables that differ only in how the two kinds interleave are stored alike."""
    result: list[Clauses] = []
    for n in range(clauses + 1):
        for k in range(n + 1):
            for on in product(range(tags), repeat=k):
                for switch in product(range(tags), repeat=n - k):
                    result.append((on, switch))
    return tuple(result)


def enabled(state: State, bounds: Bounds, version: Version) -> list[Action]:
    """All actions of the environment in `state`, in a fixed order (the order
    breadth-first search tries them in, so plain actions come before null
    operands)."""
    if state.fault:
        return []
    if not state.activations:
        return [_HOST_INVOKE, _GC]
    if state.host_error:
        return [_HOST_SWALLOW, _HOST_RETHROW]
    actions = []
    if len(state.continuations) < bounds.contrefs:
        actions.append(_CONT_NEW)
    room = len(state.handles) < bounds.handles
    running_chain = _chain_length(state, state.stack_chain)
    for h in sorted(set(state.handles)):
        typable = _switch_typable(state, h)
        catchers = (
            tuple(_resume_throw_catchers(state, h.contref, running_chain))
            if version >= Version.V48
            else ()
        )
        actions += _handle_actions(bounds, version, h, typable, catchers, room)
    host_call = len(state.activations) < bounds.host_depth
    actions += _stack_actions(bounds, running_chain, host_call)
    return actions + list(_null_operands(bounds, version))


# The actions that name no handle, built once (a namedtuple is slow to build).
_HOST_INVOKE, _GC = Action(Kind.HOST_INVOKE), Action(Kind.GC)
_HOST_SWALLOW, _HOST_RETHROW = Action(Kind.HOST_SWALLOW), Action(Kind.HOST_RETHROW)
_CONT_NEW = Action(Kind.CONT_NEW)


@lru_cache(maxsize=256)
def _stack_actions(bounds: Bounds, chain_length: int, host_call: bool) -> tuple[Action, ...]:
    """What the running stack may do besides instructions on handles: return,
    trap, suspend, throw (caught 1.. stacks up its chain, or nowhere), call
    the host (below the bound on nesting), or let the host run a GC."""
    actions = [Action(Kind.RETURN), Action(Kind.TRAP)]
    actions += [Action(Kind.SUSPEND, tag=t) for t in range(bounds.tags)]
    catchers = [*range(1, chain_length), UNCAUGHT]
    actions += [Action(Kind.THROW, catcher=c) for c in catchers]
    if host_call:
        actions.append(Action(Kind.HOST_CALL))
    actions.append(_GC)
    return tuple(actions)


# The actions on a handle depend on the state only through the arguments
# below (whether switch is typable, where resume_throw's exception may be
# caught, whether a slot is free): built once per combination.
@lru_cache(maxsize=4096)
def _handle_actions(
    bounds: Bounds,
    version: Version,
    h: Handle,
    switch_typable: bool,
    resume_throw_catchers: tuple[int, ...],
    free_slot: bool,
) -> tuple[Action, ...]:
    tables = clause_lists(bounds.tags, bounds.clauses)
    actions = [Action(Kind.CONT_BIND, h)]
    actions += [Action(Kind.RESUME, h, suspend_tags=on, switch_tags=sw) for on, sw in tables]
    if switch_typable:
        actions += [Action(Kind.SWITCH, h, tag=t) for t in range(bounds.tags)]
    if version >= Version.V48:
        for catcher in resume_throw_catchers:
            actions += [
                Action(Kind.RESUME_THROW, h, suspend_tags=on, switch_tags=sw, catcher=catcher)
                for on, sw in tables
            ]
        actions.append(Action(Kind.RESUME_THROW_REF, h, null=True))
    if free_slot:
        actions.append(Action(Kind.HANDLE_COPY, h))
    actions.append(Action(Kind.HANDLE_DROP, h))
    return tuple(actions)


@lru_cache(maxsize=64)
def _null_operands(bounds: Bounds, version: Version) -> tuple[Action, ...]:
    """Null references: a null funcref for cont.new, a null continuation for
    every instruction that takes one.  Each traps "null reference"."""
    actions = [Action(Kind.CONT_NEW, null=True), Action(Kind.CONT_BIND), Action(Kind.RESUME)]
    actions += [Action(Kind.SWITCH, tag=t) for t in range(bounds.tags)]
    if version >= Version.V48:
        actions.append(Action(Kind.RESUME_THROW))
    return tuple(actions)


def _switch_typable(state: State, h: Handle) -> bool:
    """`switch` needs a continuation type whose last parameter is the switcher:
    a valid handle's type is the contref's current one; a stale handle traps
    before any payload is stored, whatever its type."""
    c = state.continuations[h.contref]
    return h.witness != c.revision or remaining(c) >= 1


def _chain_length(state: State, start: Link) -> int:
    """Stacks on the chain from `start` up to and including its initial stack."""
    members = chain_members(state, start)
    return len(members) if members[-1].kind == ChainKind.INITIAL_STACK else len(members) - 1


def _resume_throw_catchers(state: State, contref: int, running_chain: int) -> list[int]:
    """Where the exception thrown by `resume_throw` into `contref` may be caught:
    0 is the stack it is thrown on (the continuation, or the resumer when the
    continuation is Fresh), counting up the chain it then runs on
    (`running_chain` stacks, the resumer's, plus the continuation's own)."""
    below = running_chain
    c = state.continuations[contref]
    if c.state == VMStackState.SUSPENDED:
        members = chain_members(state, continuation(contref))
        below += len(members) - 1
    return list(range(below)) + [UNCAUGHT]
