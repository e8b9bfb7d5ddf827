"""Random runs of the model for differential campaigns (issue 6).

A walk picks an action kind uniformly among the kinds enabled, then one
action of that kind, so rare kinds (switch, resume_throw) come up as often
as common ones; a target that cannot perform some kinds leaves them out.
"""

from __future__ import annotations

import random
from collections.abc import Container

from contcheck.model import Action, ContinuationModel, Kind


def random_walk(
    model: ContinuationModel, rng: random.Random, length: int, excluded: Container[Kind] = ()
) -> list[Action]:
    """Up to `length` actions from the initial state; shorter when no allowed
    action is enabled (a fault, or the host with nothing left to invoke)."""
    state = model.init_states()[0]
    actions: list[Action] = []
    for _ in range(length):
        options = [a for a in model.actions(state) if a.kind not in excluded]
        if not options:
            break
        kind = rng.choice(sorted({a.kind for a in options}))
        action = rng.choice([a for a in options if a.kind == kind])
        actions.append(action)
        state = model.next_state(state, action).state
    return actions
