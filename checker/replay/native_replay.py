"""Replaying a trace on real stacks and comparing, step by step, what the
stacks show with what the model predicts (issue: replay on native stacks)."""

from __future__ import annotations

from dataclasses import dataclass

from greenlet import error as GreenletError

from contcheck.checker.explicit import model_run
from contcheck.checker.itf import LoadedTrace
from contcheck.model import Action, ContinuationModel, Event, State, VMStackState
from contcheck.model.state import TERMINAL, chain_members

from .native_stacks import NativeRuntime, Observation


@dataclass
class StepComparison:
    index: int
    action: str
    differences: list[str]

    @property
    def agree(self) -> bool:
        return not self.differences


def replay_native(model: ContinuationModel, actions: list[Action]) -> list[StepComparison]:
    """One comparison per state of the run (the initial state first)."""
    predicted = [(step.state, step.event) for step in model_run(model, actions)]
    try:
        observed = NativeRuntime(actions, model.bounds.handles).run()
        failure = ""
    except (GreenletError, AssertionError, ValueError, LookupError) as err:
        observed, failure = [], f"the native run failed: {err}"
    out = []
    for i, (state, event) in enumerate(predicted):
        text = "initial state" if i == 0 else str(actions[i - 1])
        if i < len(observed):
            diffs = differences(state, event, observed[i])
        else:
            diffs = [failure or "the real stacks stopped before this step"]
        out.append(StepComparison(i, text, diffs))
    return out


def replay_trace(trace: LoadedTrace) -> list[StepComparison]:
    return replay_native(ContinuationModel(trace.version, trace.bounds), trace.actions)


def differences(state: State, event: Event | None, seen: Observation) -> list[str]:
    """Where the real stacks and the model's state disagree."""
    out = []
    if state.fault:
        out.append(f"the model predicts undefined behaviour ({state.fault}); the stacks ran on")
    running = str(state.running) if state.activations else ""
    if seen.running != running:
        out.append(f"running: stacks {seen.running or 'none'}, model {running or 'none'}")
    chain = _model_chain(state)
    if seen.chain != chain:
        out.append(f"chain: stacks {_chain(seen.chain)}, model {_chain(chain)}")
    states = {
        f"k{i}": VMStackState(c.state).name.title() for i, c in enumerate(state.continuations)
    }
    for name in sorted(set(states) | set(seen.states)):
        if states.get(name) != seen.states.get(name):
            ours, theirs = seen.states.get(name) or "not there", states.get(name) or "not there"
            out.append(f"{name}: stacks {ours}, model {theirs}")
    terminal = {f"k{i}" for i, c in enumerate(state.continuations) if c.state in TERMINAL}
    if not seen.finished <= terminal:
        out.append(f"finished stacks {sorted(seen.finished - terminal)} are live in the model")
    handler = _handler(event)
    if seen.handler != handler:
        out.append(f"handler found: stacks {seen.handler or 'none'}, model {handler or 'none'}")
    host_trap = event.host_trap if event is not None else ""
    if seen.host_trap != host_trap:
        out.append(
            f"trap reaching the host: stacks {_trap(seen.host_trap)}, model {_trap(host_trap)}"
        )
    return out


def _chain(stacks: list[str]) -> str:
    return " -> ".join(stacks) or "none"


def _trap(message: str) -> str:
    return f"'{message}'" if message else "none"


def _handler(event: Event | None) -> str:
    """The handler SEARCH found in this step, as the stacks name it."""
    if event is None or event.search is None:
        return ""
    parent, _, clause = event.search
    return f"{parent} clause {clause}"


def _model_chain(state: State) -> list[str]:
    if not state.activations:
        return []
    return [str(link) for link in chain_members(state, state.stack_chain)]
