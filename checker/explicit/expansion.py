"""Expanding one state: its state-property violations and every successor
(key and transition-property violations).  The unit of work of every worker;
states travel as canonical keys, so workers and the store share one encoding."""

from __future__ import annotations

from typing import NamedTuple

from contcheck.model import ContinuationModel, State
from contcheck.model.canonical import decode
from contcheck.model.state import record_of
from contcheck.properties import Property, state_violations
from contcheck.properties.evaluate import TransitionChecks, judge_transition, transition_checks

from .keycache import KeyCache

Violations = list[tuple[str, str]]


class Successor(NamedTuple):
    action: int  # index in model.actions(parent)
    key: bytes
    violations: Violations


class Expansion(NamedTuple):
    violations: Violations  # of the expanded state itself
    successors: list[Successor]  # see StateExpander.expand
    transitions: int  # the state's actions, one transition each


class StateExpander:
    """What every expansion of one search shares: the model, the properties
    with their transition dispatch table, and the cache of successor keys."""

    def __init__(
        self, model: ContinuationModel, properties: list[Property], every: bool = False
    ) -> None:
        self.model = model
        self.every = every
        self.properties = properties
        self.checks: TransitionChecks = transition_checks(properties)
        self.cache = KeyCache(model)

    def expand(self, key: bytes) -> Expansion:
        """The successors in action order: all of them with `every` (graphs
        draw each transition), else the first to reach each state and every
        one with violations (a state's actions reach a few states many
        times: the rest would only be shipped and dropped)."""
        model = self.model
        state = decode(key)
        own = state_violations(self.properties, state, model.version)
        successors = []
        # Actions that trap before any effect share one successor object
        # (model.semantics): its key is computed once per expansion.
        shared: dict[int, tuple[State, bytes]] = {}
        met: set[bytes] = set()
        actions = model.actions(state)
        for i, action in enumerate(actions):
            step = model.next_state(state, action)
            violations = judge_transition(self.checks, state, action, step.state, step.event)
            known = shared.get(id(step.state))
            if known is not None and known[0] is step.state:
                key = known[1]
            else:
                key = self.cache.key(step.state)
                shared[id(step.state)] = (step.state, key)
            if self.every or violations or key not in met:
                met.add(key)
                successors.append(record_of(Successor, i, key, violations))
        return record_of(Expansion, own, successors, len(actions))
