"""Expanding one state: its state-property violations and every successor
(key and transition-property violations).  The unit of work of every worker;
states travel as canonical keys, so workers and the store share one encoding."""

from __future__ import annotations

from typing import NamedTuple

from contcheck.model import ContinuationModel
from contcheck.model.canonical import decode
from contcheck.properties import Property, state_violations
from contcheck.properties.evaluate import judge_transition, transition_checks

from .keycache import KeyCache

Violations = list[tuple[str, str]]


class Successor(NamedTuple):
    action: int  # index in model.actions(parent)
    key: bytes
    violations: Violations


class Expansion(NamedTuple):
    violations: Violations  # of the expanded state itself
    successors: list[Successor]


def expand(
    model: ContinuationModel, properties: list[Property], key: bytes, cache: KeyCache
) -> Expansion:
    state = decode(key)
    own = state_violations(properties, state, model.version)
    checks = transition_checks(properties)
    successors = []
    for i, action in enumerate(model.actions(state)):
        step = model.next_state(state, action)
        violations = judge_transition(checks, state, action, step.state, step.event)
        successors.append(Successor(i, cache.key(step.state), violations))
    return Expansion(own, successors)
