"""Evaluating a set of properties on a state or a transition."""

from __future__ import annotations

from contcheck.model import Action, Event, State, Version

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


TransitionChecks = list[tuple[str, TransitionCheck]]


def transition_checks(props: list[Property]) -> TransitionChecks:
    """The transition predicates among `props`: a search picks them out once
    per state instead of once per transition."""
    return [(p.id, p.transition_check) for p in props if p.transition_check is not None]


def judge_transition(
    checks: TransitionChecks, before: State, action: Action, after: State, event: Event
) -> list[tuple[str, str]]:
    found = []
    for pid, check in checks:
        message = check(before, action, after, event)
        if message is not None:
            found.append((pid, message))
    return found
