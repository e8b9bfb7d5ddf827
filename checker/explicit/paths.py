"""Counterexamples as concrete runs.

The store records canonical states (contrefs renumbered, revisions cut to
0/1); a trace must instead be one real run with stable contref numbers and
real revisions.  It is rebuilt by replaying the recorded canonical path while
carrying the renumbering, so that each canonical action maps to the same
action on the concrete state.
"""

from __future__ import annotations

from typing import NamedTuple

from contcheck.model import Action, ContinuationModel, Event, State
from contcheck.model.state import Handle
from contcheck.properties import Property, state_violations, transition_violations

from .bfs import Exploration, Found


class TraceStep(NamedTuple):
    action: Action | None  # None for the initial state
    ran_on: str  # the stack that executed the action
    state: State
    event: Event | None


def concrete_trace(run: Exploration, found: Found) -> list[TraceStep]:
    model = run.model
    path = run.store.path(found.state)
    vias = [run.store.via[i] for i in path[1:]]
    if found.action is not None:
        vias.append(found.action)
    concrete = model.init_states()[0]
    rep, to_concrete = model.representative(concrete)
    steps = [TraceStep(None, "", concrete, None)]
    for via in vias:
        action = model.actions(rep)[via]
        abstract_next = model.next_state(rep, action).state
        mapped = _to_concrete(action, to_concrete, concrete)
        step = model.next_state(concrete, mapped)
        steps.append(TraceStep(mapped, str(concrete.running), step.state, step.event))
        extended = to_concrete + list(range(len(to_concrete), len(step.state.continuations)))
        rep, order = model.representative(abstract_next)
        to_concrete = [extended[j] for j in order]
        concrete = step.state
    return steps


def _to_concrete(action: Action, to_concrete: list[int], state: State) -> Action:
    """The same action on the concrete state: renumber the handle's contref and
    give it the concrete witness (current, or one of the stale ones held)."""
    h = action.handle
    if h is None:
        return action
    index = to_concrete[h.contref]
    revision = state.continuations[index].revision
    if h.witness == min(revision, 1):
        return action._replace(handle=Handle(index, revision))
    stale = max(w for c, w in state.handles if c == index and w != revision)
    return action._replace(handle=Handle(index, stale))


def model_run(model: ContinuationModel, actions: list[Action]) -> list[TraceStep]:
    """The model's run of `actions` from the initial state, one step per state."""
    state = model.init_states()[0]
    steps = [TraceStep(None, "", state, None)]
    for action in actions:
        step = model.next_state(state, action)
        steps.append(TraceStep(action, str(state.running), step.state, step.event))
        state = step.state
    return steps


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
