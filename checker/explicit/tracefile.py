"""Counterexample files: writing them from a run, and re-checking them on the model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contcheck.checker.itf import (
    Json,
    LoadedTrace,
    action_to_json,
    changed_fields,
    state_to_itf,
    write_trace,
)
from contcheck.model import Action, ContinuationModel
from contcheck.properties import PROPERTIES

from .bfs import Exploration, Found
from .paths import TraceStep, concrete_trace, model_run, violation_at_end


def semantics_name(run: Exploration) -> str:
    return f"v{int(run.model.version)}"


def trace_meta(run: Exploration, found: Found, steps: list[TraceStep]) -> Json:
    prop = next(p for p in PROPERTIES if p.id == found.property_id)
    return {
        "source": "contcheck",
        "semantics": semantics_name(run),
        "bounds": run.model.bounds.as_dict(),
        "property": found.property_id,
        "statement": prop.statement,
        "property_source": prop.source,
        "violation": found.message,
        "length": len(steps) - 1,
    }


def step_meta(i: int, step: TraceStep) -> Json:
    return {
        "index": i,
        "action": None if step.action is None else action_to_json(step.action),
        "action_text": "" if step.action is None else str(step.action),
        "ran_on": step.ran_on,
        "outcome": "" if step.event is None else step.event.outcome,
    }


def save_counterexample(run: Exploration, found: Found, trace_dir: Path) -> Path:
    steps = concrete_trace(run, found)
    path = trace_dir / f"{semantics_name(run)}-{found.property_id}.itf.json"
    write_trace(
        path,
        trace_meta(run, found, steps),
        [(step_meta(i, s), s.state) for i, s in enumerate(steps)],
    )
    return path


@dataclass
class Verdict:
    ok: bool
    message: str


def verify_trace(trace: LoadedTrace) -> Verdict:
    """Re-execute the trace on the model: every action must be enabled, every
    state must match, and the recorded property must fail at the end."""
    model = ContinuationModel(trace.version, trace.bounds)
    state = model.init_states()[0]
    steps = [TraceStep(None, "", state, None)]
    mismatch = _mismatch(0, state_to_itf(state), trace.states[0])
    if mismatch:
        return Verdict(False, mismatch)
    for i, action in enumerate(trace.actions, start=1):
        if action not in model.actions(state):
            return Verdict(False, f"step {i}: '{action}' is not enabled in the state before it")
        step = model.next_state(state, action)
        state = step.state
        steps.append(TraceStep(action, "", state, step.event))
        mismatch = _mismatch(i, state_to_itf(state), trace.states[i])
        if mismatch:
            return Verdict(False, mismatch)
    return _judge(model, trace, steps)


def _mismatch(i: int, computed: Json, recorded: Json) -> str:
    diff = changed_fields(recorded, computed)
    if not diff:
        return ""
    path, old, new = diff[0]
    return f"step {i}: {path} is {old!r} in the trace but {new!r} on the model"


def _judge(model: ContinuationModel, trace: LoadedTrace, steps: list[TraceStep]) -> Verdict:
    n = len(steps) - 1
    if not trace.property_id:
        return Verdict(True, f"all {n} steps follow the model")
    prop = next((p for p in PROPERTIES if p.id == trace.property_id), None)
    if prop is None:
        return Verdict(False, f"unknown property {trace.property_id!r} in the trace's #meta")
    message = violation_at_end(model, prop, steps)
    if message is None:
        return Verdict(False, f"all {n} steps follow the model, but {prop.id} holds at the end")
    return Verdict(True, f"all {n} steps follow the model; {prop.id} is violated: {message}")


def write_run(path: Path, model: ContinuationModel, actions: list[Action]) -> Path:
    """A run of the model as an ITF trace with no property attached (for
    replaying programs that are not counterexamples)."""
    steps = model_run(model, actions)
    meta = {
        "source": "contcheck",
        "semantics": f"v{int(model.version)}",
        "bounds": model.bounds.as_dict(),
        "length": len(actions),
    }
    write_trace(path, meta, [(step_meta(i, s), s.state) for i, s in enumerate(steps)])
    return path
