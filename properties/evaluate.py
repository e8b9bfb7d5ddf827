"""Evaluating a set of properties on a state or a transition."""

from __future__ import annotations

from contcheck.model import Action, Event, Kind, State, Version

from .registry import Property, TransitionCheck


def state_violations(
    props: list[Property], state: State, version: Version
) -> list[tuple[str, str]]:
    """(id, message) for every state property `state` breaks.  A faulted state
    is judged by S0 alone: after undefined behaviour its fields mean nothing."""
    found = []
    for p in props:
        if p.state_check is None or (state.fault and p.id != "S0"):
            continue
        message = p.state_check(state, version)
        if message is not None:
            found.append((p.id, message))
    return found


def transition_violations(
    props: list[Property], before: State, action: Action, after: State, event: Event
) -> list[tuple[str, str]]:
    return judge_transition(transition_checks(props), before, action, after, event)


# Per action kind: (id, predicate, index of the Event field it needs
# non-empty, or -1) of every transition predicate that can fail after it.
TransitionChecks = dict[Kind, list[tuple[str, TransitionCheck, int]]]


def transition_checks(props: list[Property]) -> TransitionChecks:
    """The transition predicates among `props`, dispatched by action kind and
    event (`Property.after_kinds`, `event_field`): a search builds this once."""
    checks: TransitionChecks = {kind: [] for kind in Kind}
    for p in props:
        if p.transition_check is None:
            continue
        needs = Event._fields.index(p.event_field) if p.event_field else -1
        for kind in Kind:
            if p.after_kinds is None or kind in p.after_kinds:
                checks[kind].append((p.id, p.transition_check, needs))
    return checks


def judge_transition(
    checks: TransitionChecks, before: State, action: Action, after: State, event: Event
) -> list[tuple[str, str]]:
    found = []
    for pid, check, needs in checks[action.kind]:
        if needs >= 0 and not event[needs]:
            continue  # the predicate holds whatever the states: nothing it reads happened
        message = check(before, action, after, event)
        if message is not None:
            found.append((pid, message))
    return found
