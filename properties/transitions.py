"""Properties that judge one transition (before, action, after, event).

`before` is a canonical state (revisions abstracted to 0/1); `after` is the
concrete successor the model computed from it, so revision arithmetic is
exact across the step.
"""

from __future__ import annotations

from contcheck.model import Action, Event, Kind, State
from contcheck.model.actions import CONSUMING
from contcheck.model.state import ChainKind, Link, VMStackState, initial_stack

from .chains import walk

S = VMStackState

# I17: the only state changes Wasmtime performs (code §3); reports draw them too.
ALLOWED_TRANSITIONS = {
    (S.FRESH, S.RUNNING),
    (S.FRESH, S.TRAPPED),
    (S.RUNNING, S.PARENT),
    (S.PARENT, S.RUNNING),
    (S.RUNNING, S.SUSPENDED),
    (S.SUSPENDED, S.RUNNING),
    (S.RUNNING, S.RETURNED),
    (S.RUNNING, S.TRAPPED),
    (S.PARENT, S.TRAPPED),
}
INITIAL_STACK_TRANSITIONS = ((S.RUNNING, S.PARENT), (S.PARENT, S.RUNNING))


def i10_linearity(before: State, action: Action, after: State, event: Event) -> str | None:
    changed: dict[int, int] = {}
    for i, c in enumerate(before.continuations):
        d = after.continuations[i]
        if c is not d and c.revision != d.revision:  # an untouched contref is the same object
            changed[i] = d.revision - c.revision
    if changed:
        h = action.handle
        if action.kind not in CONSUMING or h is None or changed != {h.contref: 1}:
            return f"{action} changed revisions {changed}"
    if after.handles == before.handles:
        return None  # nothing minted
    minted = set(after.handles) - set(before.handles)
    for h in minted:
        revision = after.continuations[h.contref].revision
        if h.witness != revision:
            return f"{action} minted {h}, but k{h.contref}'s revision is {revision}"
    return None


def i17_state_transitions(before: State, action: Action, after: State, event: Event) -> str | None:
    for link, old, new in event.state_changes:
        if link.kind == ChainKind.INITIAL_STACK:
            if (old, new) not in INITIAL_STACK_TRANSITIONS:
                return f"{link} went {S(old).name} -> {S(new).name}"
        elif (old, new) not in ALLOWED_TRANSITIONS:
            return f"{link} went {S(old).name} -> {S(new).name}"
    return None


# I19: the control effects each kind of site accepts.
ACCEPTED = {
    "resume": frozenset({"RETURN", "SUSPEND", "TRAP"}),
    "suspend": frozenset({"RESUME", "SWITCH", "RESUME_THROW"}),
    "launchpad": frozenset({"RESUME", "SWITCH", "RESUME_THROW"}),
}


def i19_payload_routing(before: State, action: Action, after: State, event: Event) -> str | None:
    for site, effect in event.deliveries:
        if effect not in ACCEPTED[site]:
            return f"a {site} site received {effect}"
    return None


def i21_search_order(before: State, action: Action, after: State, event: Event) -> str | None:
    if event.search is None:
        return None
    expected = _innermost_handler(before, action)
    if expected != event.search:
        return f"{action} found handler {event.search}, expected {expected}"
    return None


def _innermost_handler(state: State, action: Action) -> tuple[Link, int, int] | None:
    """Recompute the search: walk up from the head; at each child, scan its
    parent's clauses of the action's kind from the lowest index."""
    members, _ = walk(state, state.stack_chain)
    for child, parent in zip(members, members[1:], strict=False):
        if parent.kind == ChainKind.CONTINUATION:
            info = state.continuations[parent.index]
            handlers, fshi = info.handlers, info.first_switch_handler_index
        elif parent.kind == ChainKind.INITIAL_STACK and parent.index >= 0:
            csi = state.activations[parent.index].csi
            handlers, fshi = csi.handlers, csi.first_switch_handler_index
        else:
            return None
        indices = range(fshi) if action.kind == Kind.SUSPEND else range(fshi, len(handlers))
        for i in indices:
            if handlers[i] == action.tag:
                return parent, child.index, i
    return None


def i22_host_barrier(before: State, action: Action, after: State, event: Event) -> str | None:
    if action.kind not in (Kind.HOST_CALL, Kind.HOST_INVOKE) or after.fault:
        return None
    k = len(after.activations) - 1
    if after.stack_chain != initial_stack(k) or after.activations[k].csi.handlers:
        return f"re-entry starts the chain {after.stack_chain}, not a fresh init{k}"
    return None
