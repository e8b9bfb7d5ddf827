"""z3 runs as the model's runs: actions with concrete handles, replayed on the
explicit model step by step, compared store by store, and written as ITF.

This is the seam where the two engines meet: a z3 run whose replay departs
from the explicit model names the first step and field where they part.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contcheck.checker.explicit import TraceStep, step_meta, violation_at_end
from contcheck.checker.itf import write_trace
from contcheck.model import Action, ContinuationModel, State
from contcheck.model.state import Handle
from contcheck.properties import PROPERTIES

from .bmc import SymbolicRun
from .state import Codes, Store, from_state, to_state
from .step import decode_action


def comparable(state: State) -> State:
    """What both engines must agree on: faulted states are one final state
    (the two engines word undefined behaviour differently)."""
    return state._replace(fault="undefined behaviour") if state.fault else state


@dataclass
class Replay:
    steps: list[TraceStep]
    departure: str  # "" when every store matches the explicit model


def replay(model: ContinuationModel, run: SymbolicRun) -> Replay:
    """Run the z3 run's actions on the explicit model, comparing every store."""
    codes = Codes(model.bounds.contrefs, model.bounds.host_depth)
    state = model.init_states()[0]
    steps = [TraceStep(None, "", state, None)]
    departure = _compare(model, codes, 0, state, run.stores[0])
    for i, values in enumerate(run.actions, start=1):
        if departure:
            break
        action = _concrete(decode_action(values, _revisions(state)), state)
        if action not in model.actions(state):
            departure = f"step {i}: z3 takes '{action}', which the explicit model does not enable"
            break
        step = model.next_state(state, action)
        steps.append(TraceStep(action, str(state.running), step.state, step.event))
        state = step.state
        departure = _compare(model, codes, i, state, run.stores[i])
    return Replay(steps, departure)


def _revisions(state: State) -> list[int]:
    """Concrete revisions: a z3 handle is current or stale, the model's a number."""
    return [c.revision for c in state.continuations]


def _concrete(action: Action, state: State) -> Action:
    """A stale handle names a witness the state really holds."""
    h = action.handle
    if h is None or h in state.handles:
        return action
    revision = state.continuations[h.contref].revision
    stale = [w for c, w in state.handles if c == h.contref and w != revision]
    return action._replace(handle=Handle(h.contref, max(stale))) if stale else action


def _compare(model: ContinuationModel, codes: Codes, i: int, explicit: State, store: Store) -> str:
    try:
        symbolic = to_state(store, codes)
        if model.key(comparable(explicit)) == model.key(comparable(symbolic)):
            return ""
        b = from_state(comparable(symbolic), model.bounds)
    except (IndexError, KeyError, ValueError):  # it names a contref or stack not there
        b = store  # no state of the model: its raw fields are compared
    a = from_state(comparable(explicit), model.bounds)
    for name, x, y in _fields("", a, b):
        if x != y:
            return f"step {i}: {name} is {y} for z3 but {x} on the explicit model"
    return f"step {i}: the stores differ"


def _fields(prefix: str, a: object, b: object) -> list[tuple[str, object, object]]:
    if isinstance(a, list) and isinstance(b, list):
        pairs = enumerate(zip(a, b, strict=True))
        return [f for k, (x, y) in pairs for f in _fields(f"{prefix}[{k}]", x, y)]
    if hasattr(a, "__dataclass_fields__"):
        return [
            f
            for n in a.__dataclass_fields__
            for f in _fields(f"{prefix}.{n}", getattr(a, n), getattr(b, n))
        ]
    return [(prefix.lstrip("."), a, b)]


def write_z3_trace(model: ContinuationModel, prop_id: str, rep: Replay, path: Path) -> str:
    """Write the replayed run as an ITF counterexample; returns the violation
    the explicit model reports at its end ("" if none)."""
    prop = next(p for p in PROPERTIES if p.id == prop_id)
    message = violation_at_end(model, prop, rep.steps) or ""
    meta = {
        "source": "contcheck prove --engine bmc",
        "semantics": f"v{int(model.version)}",
        "bounds": model.bounds.as_dict(),
        "property": prop.id,
        "statement": prop.statement,
        "property_source": prop.source,
        "violation": message,
        "length": len(rep.steps) - 1,
    }
    write_trace(path, meta, [(step_meta(i, s), s.state) for i, s in enumerate(rep.steps)])
    return message
