"""Expanding one state: its state-property violations and every successor
(key and transition-property violations).  The unit of work of every worker;
states travel as canonical keys, so workers and the store share one encoding."""

from __future__ import annotations

from typing import NamedTuple

from contcheck.model import ContinuationModel, State
from contcheck.model.canonical import decode
from contcheck.properties import Property, state_violations, transition_violations

Violations = list[tuple[str, str]]


class Successor(NamedTuple):
    action: int  # index in model.actions(parent)
    key: bytes
    violations: Violations


class Expansion(NamedTuple):
    violations: Violations  # of the expanded state itself
    successors: list[Successor]


def expand(model: ContinuationModel, properties: list[Property], key: bytes) -> Expansion:
    state = decode(key)
    own = state_violations(properties, state, model.version)
    successors = []
    keys: dict[State, bytes] = {}  # many actions (every trap, say) reach one state
    for i, action in enumerate(model.actions(state)):
        step = model.next_state(state, action)
        violations = transition_violations(properties, state, action, step.state, step.event)
        succ_key = keys.get(step.state)
        if succ_key is None:
            succ_key = keys[step.state] = model.key(step.state)
        successors.append(Successor(i, succ_key, violations))
    return Expansion(own, successors)
