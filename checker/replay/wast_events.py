"""What a generated wasm program can observe of a run, and what the model
predicts it observes (issue 6: replay on the real Wasmtime).

A program logs one event per thing wasm code can see: which stack fetches each
action, and where control lands afterwards (a continuation's function starts,
a suspend/switch site wakes, a resume site takes its return branch or one of
its handler clauses, a try_table catches the exception).  What wasm cannot
see is left out: a trap is seen only by the embedder (the `.wast` outcome),
payload counts are not visible, and every bad handle traps alike.

An event is one i32: `kind << 16 | stack << 8 | detail`; stack 0 is the
initial stack, stack n+1 is contref kn.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from contcheck.checker.explicit import TraceStep
from contcheck.model import Action, Kind, State
from contcheck.model.control import RETURN, SUSPEND, SWITCH
from contcheck.model.state import ChainKind, Link


class EventKind(IntEnum):
    STEP = 1  # a stack fetched the next action; detail: its opcode
    START = 2  # a continuation's function started; detail 1 when switched to
    WAKE = 3  # a suspend/switch site returned; detail 1 when switched to
    HANDLED = 4  # a resume site took handler clause `detail`
    RETURNED = 5  # a resume site took its return branch
    CAUGHT = 6  # a try_table caught the exception (its countdown reached 0)
    END = 7  # a stack found the script exhausted and returned


class Opcode(IntEnum):
    """The program's encoding of an action (`END` marks the script's end)."""

    END = 0
    CONT_NEW = 1
    CONT_NEW_NULL = 2
    CONT_BIND = 3
    RESUME = 4
    SUSPEND = 5
    SWITCH = 6
    RESUME_THROW = 7
    RESUME_THROW_REF = 8
    RETURN = 9
    TRAP = 10
    THROW = 11
    NOP = 12  # handle.copy, handle.drop: a wasm value is copied or dropped
    GC = 13  # allocate past the GC heap: a collection (wasmtime_binary.py: GC_HEAP)


OPCODES = {
    Kind.CONT_BIND: Opcode.CONT_BIND,
    Kind.RESUME: Opcode.RESUME,
    Kind.SUSPEND: Opcode.SUSPEND,
    Kind.SWITCH: Opcode.SWITCH,
    Kind.RESUME_THROW: Opcode.RESUME_THROW,
    Kind.RESUME_THROW_REF: Opcode.RESUME_THROW_REF,
    Kind.RETURN: Opcode.RETURN,
    Kind.TRAP: Opcode.TRAP,
    Kind.THROW: Opcode.THROW,
    Kind.HANDLE_COPY: Opcode.NOP,
    Kind.HANDLE_DROP: Opcode.NOP,
    Kind.GC: Opcode.GC,
}

# Actions a `.wast` program cannot perform: the host's re-entry needs a host
# function that calls back into wasm.  A GC is forced by allocating past the
# GC heap (in wasm, or by `(invoke "gc")` when no wasm runs).
UNEXPRESSIBLE = frozenset({Kind.HOST_CALL, Kind.HOST_SWALLOW, Kind.HOST_RETHROW})


def opcode(action: Action) -> Opcode:
    if action.kind == Kind.CONT_NEW:
        return Opcode.CONT_NEW_NULL if action.null else Opcode.CONT_NEW
    return OPCODES[action.kind]


class Observed(NamedTuple):
    kind: EventKind
    stack: int
    detail: int = 0

    def encode(self) -> int:
        return self.kind << 16 | self.stack << 8 | self.detail

    def __str__(self) -> str:
        where = stack_name(self.stack)
        texts = {
            EventKind.STEP: f"{where} runs {Opcode(self.detail).name.lower()}",
            EventKind.START: f"{where} starts ({'switched to' if self.detail else 'resumed'})",
            EventKind.WAKE: f"{where} wakes ({'switched to' if self.detail else 'resumed'})",
            EventKind.HANDLED: f"{where}'s resume takes handler clause {self.detail}",
            EventKind.RETURNED: f"{where}'s resume returns",
            EventKind.CAUGHT: f"{where} catches the exception",
            EventKind.END: f"{where} reaches the end of the script",
        }
        return texts[self.kind]


def decode(value: int) -> Observed | None:
    """The event a logged word stands for, or None for a word no event encodes."""
    try:
        return Observed(EventKind(value >> 16), (value >> 8) & 0xFF, value & 0xFF)
    except ValueError:
        return None


def stack_name(stack: int) -> str:
    return "init" if stack == 0 else f"k{stack - 1}"


def stack_id(link: Link) -> int:
    return link.index + 1 if link.kind == ChainKind.CONTINUATION else 0


class StepEvents(NamedTuple):
    """What one step of the model's run shows a program."""

    events: tuple[Observed, ...]
    ends_activation: bool  # control went back to the embedder
    host_trap: str  # what the embedder received ("" for a return)
    fault: str  # the model predicts undefined behaviour from here on


def step_events(before: TraceStep, after: TraceStep) -> StepEvents:
    """The events of the step from `before` to `after`, in the order logged."""
    action, event, state = after.action, after.event, after.state
    assert action is not None and event is not None
    if action.kind == Kind.HOST_INVOKE or not before.state.activations:
        return StepEvents((), False, "", state.fault)  # an invoke of run, or of gc
    fetched = Observed(EventKind.STEP, stack_id(before.state.running), opcode(action))
    if state.fault or not state.activations:
        return StepEvents((fetched,), not state.activations, event.host_trap, state.fault)
    landing = _landing(action, state, event.deliveries, event.search)
    return StepEvents((fetched, *landing), False, "", "")


def _landing(
    action: Action,
    after: State,
    deliveries: tuple[tuple[str, str], ...],
    search: tuple[Link, int, int] | None,
) -> tuple[Observed, ...]:
    """Where control lands when the step leaves wasm running."""
    here = stack_id(after.running)
    last = deliveries[-1] if deliveries else None
    if last == ("resume", RETURN):
        return (Observed(EventKind.RETURNED, here),)
    if last == ("resume", SUSPEND):
        assert search is not None
        return (Observed(EventKind.HANDLED, here, search[2]),)
    if action.kind in (Kind.THROW, Kind.RESUME_THROW):
        return (Observed(EventKind.CAUGHT, here),)
    if last is None:
        return ()
    kind = EventKind.START if last[0] == "launchpad" else EventKind.WAKE
    return (Observed(kind, here, int(last[1] == SWITCH)),)
