"""Random runs of the model for differential campaigns (issues 6 and 18).

Two modes.  `uniform` picks an action kind uniformly among the kinds enabled,
then one action of that kind: most steps then end the activation (null or
stale operands, unhandled suspends, traps) and few runs reach a continuation.
`guided` tries every enabled action on the model and weighs it by what it
reaches (`coverage.py`): resumes, suspends and switches that succeed,
`resume_throw` into suspended chains, forwarded suspends, deeper chains and
nested activations weigh most, and an outcome not yet seen at that chain
depth in the campaign weighs more still.  Both are deterministic per seed.
"""

from __future__ import annotations

import random
from collections.abc import Container
from dataclasses import dataclass, field

from contcheck.model import Action, ContinuationModel, Kind, State
from contcheck.model.semantics import Step

from .coverage import (
    FORWARDED,
    NULL,
    REENTRY,
    RESUMED,
    RETURNED,
    STALE,
    SUSPENDED,
    SWITCH_UNHANDLED,
    SWITCHED,
    THROWN_FRESH,
    THROWN_INTO,
    TRAP_INSIDE,
    Coverage,
    chain_stacks,
    step_outcomes,
)

WALKS = ("guided", "uniform")

# How much a step reaching an outcome is worth; a step reaching none weighs 1.
PROGRESS = {
    RESUMED: 8.0,
    SUSPENDED: 8.0,
    FORWARDED: 16.0,
    SWITCHED: 16.0,
    SWITCH_UNHANDLED: 1.0,
    THROWN_INTO: 10.0,
    THROWN_FRESH: 1.0,
    TRAP_INSIDE: 1.0,
    RETURNED: 2.0,
    REENTRY: 1.5,
    STALE: 0.2,
    NULL: 0.1,
}
CAUGHT_WEIGHT = 3.0
# cont.new is the fuel of every later resume; a GC on Wasmtime costs a
# process of its own (campaign.py), so a few per campaign do.
PLAIN = {Kind.CONT_NEW: 3.0, Kind.GC: 0.03}
# A trap that reaches the host ends the activation (leaving only host.invoke)
# or the host's nested call (leaving host.swallow and host.rethrow).
ENDS_ACTIVATION = 0.1
NOVELTY = 6.0  # an outcome not yet seen at this chain depth


@dataclass
class Walker:
    """Draws runs; a guided walker remembers what the campaign has reached."""

    model: ContinuationModel
    mode: str = "guided"
    seen: set[tuple[str, int]] = field(default_factory=set)

    def walk(
        self, rng: random.Random, length: int, excluded: Container[Kind] = ()
    ) -> tuple[list[Action], Coverage]:
        """Up to `length` actions from the initial state, and what they reach;
        shorter when no allowed action is enabled."""
        state = self.model.init_states()[0]
        actions: list[Action] = []
        reached = Coverage()
        for _ in range(length):
            options = [a for a in self.model.actions(state) if a.kind not in excluded]
            if not options:
                break
            if self.mode == "uniform":
                action = _uniform(rng, options)
                step = self.model.next_state(state, action)
            else:
                action, step = self._guided(rng, state, options)
            reached.add_step(state, action, step.state, step.event)
            actions.append(action)
            state = step.state
        return actions, reached

    def _guided(
        self, rng: random.Random, state: State, options: list[Action]
    ) -> tuple[Action, Step]:
        """One action drawn by weight; the actions of one group (a kind, its
        operand, tag and catcher, whatever the handler clauses) share it."""
        groups: dict[Action, list[Action]] = {}
        for a in options:
            groups.setdefault(a._replace(suspend_tags=(), switch_tags=()), []).append(a)
        tried = [(members, self._try(state, members[0])) for members in groups.values()]
        weights = [w for _, (w, _, _) in tried]
        members, (_, step, signature) = rng.choices(tried, weights)[0]
        action = rng.choice(members)
        if action != members[0]:
            step = self.model.next_state(state, action)
        self.seen |= signature
        return action, step

    def _try(self, state: State, action: Action) -> tuple[float, Step, set[tuple[str, int]]]:
        step = self.model.next_state(state, action)
        reached = step_outcomes(state, action, step.event)
        depth = chain_stacks(step.state)
        signature = {(o, depth) for o in reached}
        plain = PLAIN.get(action.kind, 1.0) if not action.null else 1.0
        weight = max((PROGRESS.get(o, CAUGHT_WEIGHT) for o in reached), default=plain)
        if signature - self.seen:
            weight *= NOVELTY
        ends = not step.state.activations or step.state.host_error
        if ends and action.kind != Kind.GC:
            weight *= ENDS_ACTIVATION
        weight *= depth or 1
        return weight, step, signature


def _uniform(rng: random.Random, options: list[Action]) -> Action:
    kind = rng.choice(sorted({a.kind for a in options}))
    return rng.choice([a for a in options if a.kind == kind])
