"""Expanding one state: every successor, canonicalised, with the transition
properties judged on the concrete step.  The unit of work of every worker."""

from __future__ import annotations

from typing import NamedTuple

from contcheck.model import ContinuationModel, State
from contcheck.model.canonical import canonical, encode
from contcheck.properties import Property, transition_violations


class Successor(NamedTuple):
    action: int  # index in model.actions(parent)
    key: bytes
    state: State  # canonical
    violations: list[tuple[str, str]]


def expand(model: ContinuationModel, properties: list[Property], state: State) -> list[Successor]:
    out = []
    for i, action in enumerate(model.actions(state)):
        step = model.next_state(state, action)
        violations = transition_violations(properties, state, action, step.state, step.event)
        representative = canonical(step.state)
        out.append(Successor(i, encode(representative), representative, violations))
    return out
