"""Counterexamples as concrete runs.

The store records canonical states; a trace must instead be one real run with
stable contref numbers and real revisions.  It is rebuilt by replaying from
the initial state, choosing at each step the first action whose successor has
the recorded canonical key.
"""

from __future__ import annotations

from typing import NamedTuple

from contcheck.model import Action, ContinuationModel, Event, State
from contcheck.properties import Property, state_violations, transition_violations

from .bfs import Exploration, Found


class TraceStep(NamedTuple):
    action: Action | None  # None for the initial state
    ran_on: str  # the stack that executed the action
    state: State
    event: Event | None


class ReplayError(RuntimeError):
    """The recorded path could not be followed (a model bug, never user input)."""


def concrete_trace(run: Exploration, found: Found) -> list[TraceStep]:
    model = run.model
    path = run.store.path(found.state)
    state = model.init_states()[0]
    steps = [TraceStep(None, "", state, None)]
    for target in path[1:]:
        state = _follow(model, steps, state, run.store.keys[target], None)
    if found.action is not None:
        prop = next(p for p in run.properties if p.id == found.property_id)
        _follow(model, steps, state, found.target, prop)
    return steps


def _follow(
    model: ContinuationModel,
    steps: list[TraceStep],
    state: State,
    key: bytes,
    prop: Property | None,
) -> State:
    for action in model.actions(state):
        step = model.next_state(state, action)
        if model.key(step.state) != key:
            continue
        if prop and not transition_violations([prop], state, action, step.state, step.event):
            continue
        steps.append(TraceStep(action, str(state.running), step.state, step.event))
        return step.state
    raise ReplayError(f"no action of the concrete state reaches the recorded state {key!r}")


def violation_at_end(
    model: ContinuationModel, prop: Property, steps: list[TraceStep]
) -> str | None:
    """The property's message at the trace's last state or step, else None."""
    last = steps[-1]
    if prop.transition_check is not None:
        if last.action is None or last.event is None:
            return None
        found = transition_violations([prop], steps[-2].state, last.action, last.state, last.event)
    else:
        found = state_violations([prop], last.state, model.version)
    return found[0][1] if found else None
