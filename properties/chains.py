"""Read-only views of a state's chains, written independently of the model's
instructions so that properties do not re-use the code they judge."""

from __future__ import annotations

from contcheck.model.state import (
    HOST_STACK,
    ChainKind,
    Link,
    State,
    VMStackState,
)


def walk(state: State, start: Link) -> tuple[list[Link], bool]:
    """Links from `start` along `parent_chain` up to the first non-continuation
    link (included).  The flag is False when the walk meets a link twice."""
    members = [start]
    seen = {start}
    link = start
    while link.kind == ChainKind.CONTINUATION:
        link = state.continuations[link.index].parent_chain
        if link in seen:
            return members, False
        members.append(link)
        seen.add(link)
    return members, True


def active_heads(state: State) -> list[Link]:
    """The running stack of every activation, innermost first: the store chain's
    head, then the stack that made each host call."""
    if not state.activations:
        return []
    heads = [state.stack_chain]
    heads += [act.caller for act in reversed(state.activations[1:])]
    return heads


def active_chains(state: State) -> list[list[Link]]:
    """Each activation's chain of stacks, head first, innermost activation first."""
    return [walk(state, head)[0] for head in active_heads(state)]


def suspended_heads(state: State) -> list[int]:
    return [i for i, c in enumerate(state.continuations) if c.state == VMStackState.SUSPENDED]


def native_stack(state: State, stack: Link) -> int:
    """The native stack a stack runs on: its own for a contref; an initial
    stack runs on the host thread (activation 0) or on its caller's stack."""
    while stack.kind == ChainKind.INITIAL_STACK and stack.index > 0:
        if stack.index >= len(state.activations):
            return HOST_STACK - 10  # dangling: matches nothing
        stack = state.activations[stack.index].caller
    if stack.kind == ChainKind.CONTINUATION:
        return stack.index
    return HOST_STACK


def state_of(state: State, stack: Link) -> int:
    if stack.kind == ChainKind.CONTINUATION:
        return state.continuations[stack.index].state
    return state.activations[stack.index].csi.state
