"""One step of the runtime: `step(state, action)` -> next state and event.

Instructions run in Wasmtime's order; a `WasmTrap` raised part-way unwinds
from the state as it is at that point (§3.8), and `UndefinedBehaviour`
anywhere ends in a faulted state (spec Appendix A, error states).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from . import control, instructions
from .actions import Action, Kind
from .machine import UNCAUGHT_EXCEPTION, UNREACHABLE, Event, Machine, UndefinedBehaviour, WasmTrap
from .state import ABSENT, ZERO_LIMITS, ChainKind, State, Version, VMStackState, record_of


class Step(NamedTuple):
    state: State
    event: Event


def initial_state(version: Version) -> State:
    """The embedder has just called an exported function: one activation."""
    m = Machine(State((), (), ABSENT, ZERO_LIMITS, ABSENT, (), "", ""), version, 0)
    control.enter_activation(m, ABSENT)
    return m.freeze()


def step(state: State, action: Action, version: Version, handle_slots: int) -> Step:
    """Execute `action` in `state` under `version`'s semantics."""
    m = Machine(state, version, handle_slots)
    try:
        _EXECUTE[action.kind](m, action)
    except WasmTrap as trap:
        if m.unchanged(state):
            return _trap_before_any_effect(state, trap.message, version, handle_slots)
        return _trapped(m, trap.message)
    except UndefinedBehaviour as ub:
        _faulted(m, ub)
    return record_of(Step, m.freeze(), m.event())


def _trapped(m: Machine, message: str) -> Step:
    """The trap unwinds from the machine as the instruction left it (§3.8)."""
    m.outcome.append(f"trap '{message}' on {m.running}")
    try:
        control.unwind(m, message, None)
    except UndefinedBehaviour as ub:
        _faulted(m, ub)
    return record_of(Step, m.freeze(), m.event())


def _faulted(m: Machine, ub: UndefinedBehaviour) -> None:
    m.fault = str(ub)
    m.outcome.append(f"undefined behaviour: {ub}")


# Steps of traps raised before their instruction changed anything, for the
# last state stepped: the unwinding is then a function of the state and the
# message alone, and a state has a dozen such actions (null operands, stale
# handles, unhandled tags, `unreachable`) and three or four messages.  The
# state and its steps are replaced together (safe if threads step states).
_trap_steps: tuple[State | None, dict[tuple[str, Version, int], Step]] = (None, {})


def _trap_before_any_effect(state: State, message: str, version: Version, slots: int) -> Step:
    global _trap_steps
    memo = _trap_steps
    if memo[0] is not state:
        memo = _trap_steps = (state, {})
    key = (message, version, slots)
    found = memo[1].get(key)
    if found is None:
        found = memo[1][key] = _trapped(Machine(state, version, slots), message)
    return found


def _return(m: Machine, action: Action) -> None:
    """The running function returns: a continuation to its parent, an
    initial stack's function to the host (§3.7, §3.9)."""
    if m.running.kind == ChainKind.CONTINUATION:
        control.continuation_returns(m)
    else:
        control.exit_activation(m)


def _trap(m: Machine, action: Action) -> None:
    raise WasmTrap(UNREACHABLE)


def _throw(m: Machine, action: Action) -> None:
    m.outcome.append(f"exception thrown on {m.running}")
    control.unwind(m, UNCAUGHT_EXCEPTION, action.catcher)


def _host_call(m: Machine, action: Action) -> None:
    control.enter_activation(m, m.running)


def _host_invoke(m: Machine, action: Action) -> None:
    control.enter_activation(m, ABSENT)


def _host_swallow(m: Machine, action: Action) -> None:
    """The host function catches its nested call's error and returns (§3.8 step 6)."""
    m.host_error = ""


def _host_rethrow(m: Machine, action: Action) -> None:
    """The host function returns the error: a trap in the wasm that called it."""
    message, m.host_error = m.host_error, ""
    raise WasmTrap(message)


def _handle_copy(m: Machine, action: Action) -> None:
    assert action.handle is not None
    m.give_handle(action.handle)


def _handle_drop(m: Machine, action: Action) -> None:
    assert action.handle is not None
    m.handles.remove(action.handle)


def _gc(m: Machine, action: Action) -> None:
    """§3.11: trace every Suspended continuation's chain as a backtrace.

    The walk wants one more `VMStackLimits` than continuations, i.e. a chain
    ending in an initial stack; v44 asserts it (backtrace.rs:343), v48
    `expect`s it (backtrace.rs:340).  Both panic on an Absent-terminated chain.
    """
    for index, c in enumerate(m.conts):
        if c.state != VMStackState.SUSPENDED:
            continue
        link = c.parent_chain
        while link.kind == ChainKind.CONTINUATION:
            link = m.conts[link.index].parent_chain
        if link.kind != ChainKind.INITIAL_STACK:
            raise UndefinedBehaviour(
                f"GC root tracing of k{index} panics: expected one more VMStackLimits"
                " than continuations (#14239)"
            )
    m.outcome.append("GC traced every suspended continuation")


_EXECUTE: dict[Kind, Callable[[Machine, Action], None]] = {
    Kind.CONT_NEW: instructions.cont_new,
    Kind.CONT_BIND: instructions.cont_bind,
    Kind.RESUME: instructions.resume,
    Kind.SUSPEND: instructions.suspend,
    Kind.SWITCH: instructions.switch,
    Kind.RESUME_THROW: instructions.resume_throw,
    Kind.RESUME_THROW_REF: instructions.resume_throw,
    Kind.RETURN: _return,
    Kind.TRAP: _trap,
    Kind.THROW: _throw,
    Kind.HOST_CALL: _host_call,
    Kind.HOST_INVOKE: _host_invoke,
    Kind.HOST_SWALLOW: _host_swallow,
    Kind.HOST_RETHROW: _host_rethrow,
    Kind.HANDLE_COPY: _handle_copy,
    Kind.HANDLE_DROP: _handle_drop,
    Kind.GC: _gc,
}
