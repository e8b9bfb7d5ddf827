"""A model run as a script a generated wasm program interprets (issue 6).

Every action becomes one script entry of five i32 fields, read by whichever
stack runs when the entry comes up: `op`, `slot` (the handle operand's table
slot, or for `cont.new` the contref's index, which picks its function),
`arg` (the resume site, or the tag), `countdown` (how many try_tables an
exception passes before one catches it) and `dest` (the table slot for the
handle the step produces).  Handles live in a table, one slot per distinct
handle value of the run, so any stack can use any handle; slot 0 stays null
and slot 1 takes handles the model does not predict.  `host.invoke` is not a
script entry: it is the next `(invoke "run")` of the `.wast` file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contcheck.checker.explicit import TraceStep
from contcheck.model import UNCAUGHT, Action, Kind, State
from contcheck.model.control import SUSPEND, SWITCH
from contcheck.model.machine import NULL_REFERENCE, UNCAUGHT_EXCEPTION
from contcheck.model.state import Handle

from .wasmtime_binary import trap_message
from .wast_events import (
    UNEXPRESSIBLE,
    EventKind,
    Observed,
    Opcode,
    StepEvents,
    opcode,
    stack_id,
    step_events,
)

NULL_SLOT, SPARE_SLOT = 0, 1
NEVER = 0x7FFF_FFFF  # the countdown of an exception no try_table catches

Clauses = tuple[tuple[int, ...], tuple[int, ...]]


class NotExpressible(ValueError):
    """A run a `.wast` program cannot perform (one line for the user)."""


@dataclass
class Entry:
    op: Opcode
    slot: int
    arg: int
    countdown: int
    dest: int
    comment: str

    def words(self) -> tuple[int, int, int, int, int]:
        return (self.op, self.slot, self.arg, self.countdown, self.dest)


@dataclass
class Activation:
    """One `(invoke "run")`: how it ends, at which step, after how many events."""

    outcome: str = "return"  # "return", "trap", "exception" or "undefined"
    message: str = ""  # the trap message, or the predicted fault
    step: int = 0  # the step that ends it (the last step if the run stops in wasm)
    events: int = 0  # expected events logged by its end, counting earlier activations
    entry: str = "run"  # the export invoked: "run", or "gc" for a GC with no wasm running


@dataclass
class Script:
    entries: list[Entry] = field(default_factory=list)
    expected: list[Observed] = field(default_factory=list)
    event_steps: list[int] = field(default_factory=list)  # the step of each expected event
    activations: list[Activation] = field(default_factory=list)
    slots: dict[Handle, int] = field(default_factory=dict)
    resume_sites: list[Clauses] = field(default_factory=list)
    throw_sites: list[Clauses] = field(default_factory=list)
    contrefs: int = 0
    exact: bool = True  # False after a predicted fault: only a prefix is predicted

    @property
    def ops(self) -> set[Opcode]:
        return {e.op for e in self.entries}


def build_script(steps: list[TraceStep], release: str = "") -> Script:
    """The script and expected log of a model run (`model_run`'s steps);
    trap messages in `release`'s words (the model's own when "")."""
    script = Script(activations=[Activation()])
    script.contrefs = len(steps[-1].state.continuations)
    for i in range(1, len(steps)):
        before, after = steps[i - 1], steps[i]
        assert after.action is not None
        if after.action.kind in UNEXPRESSIBLE:
            raise NotExpressible(
                f"step {i}: '{after.action}' cannot be written as a .wast program"
                " (no host function re-enters wasm)"
            )
        seen = step_events(before, after)
        if after.action.kind == Kind.HOST_INVOKE:
            script.activations.append(Activation())
        elif not before.state.activations:  # a GC between calls into wasm
            script.activations.append(Activation(entry="gc", step=i, events=len(script.expected)))
        else:
            script.entries.append(_entry(script, i, before, after))
        _expect(script, i, seen, _trap_text(release, seen.host_trap, after.action))
        if seen.fault:
            script.exact = False
            _close(script, Activation("undefined", seen.fault), i)
            return script
    last = steps[-1].state
    if last.activations:  # the run stops with wasm running: every stack returns
        script.expected.append(Observed(EventKind.END, stack_id(last.running)))
        script.event_steps.append(len(steps) - 1)
        _close(script, Activation("return"), len(steps) - 1)
    return script


def _trap_text(release: str, trap: str, action: Action) -> str:
    """The trap as `release` words it; a null reference is named by its operand."""
    if not release or not trap:
        return trap
    if trap == NULL_REFERENCE:
        operand = "contref"
        if action.kind == Kind.CONT_NEW:
            operand = "funcref"
        elif action.kind == Kind.RESUME_THROW_REF and action.handle is not None:
            operand = "exnref"  # a null contref traps first (§3.6 step 1)
        trap = f"null {operand}"
    return trap_message(release, trap)


def _expect(script: Script, i: int, seen: StepEvents, trap: str) -> None:
    script.expected += seen.events
    script.event_steps += [i] * len(seen.events)
    if seen.ends_activation:
        if not trap:
            _close(script, Activation("return"), i)
        elif trap == UNCAUGHT_EXCEPTION:
            _close(script, Activation("exception", trap), i)
        else:
            _close(script, Activation("trap", trap), i)


def _close(script: Script, ending: Activation, step: int) -> None:
    ending.step, ending.events = step, len(script.expected)
    ending.entry = script.activations[-1].entry
    script.activations[-1] = ending


def _entry(script: Script, i: int, before: TraceStep, after: TraceStep) -> Entry:
    action = after.action
    assert action is not None
    op = opcode(action)
    slot = _operand_slot(script, action, i)
    if op == Opcode.CONT_NEW:
        slot = len(before.state.continuations)
    arg = action.tag
    if op == Opcode.RESUME:
        arg = _site(script.resume_sites, action)
    elif op == Opcode.RESUME_THROW:
        arg = _site(script.throw_sites, action)
    produced = _produced(before.state, action, after)
    dest = SPARE_SLOT
    if produced is not None:
        dest = script.slots.setdefault(produced, len(script.slots) + 2)
    comment = f"step {i} on {before.state.running}: {action}"
    return Entry(op, slot, arg, _countdown(action), dest, comment)


def _operand_slot(script: Script, action: Action, i: int) -> int:
    if action.handle is None:
        return NULL_SLOT
    if action.handle not in script.slots:
        raise NotExpressible(f"step {i}: '{action}' uses {action.handle}, which no step produced")
    return script.slots[action.handle]


def _site(sites: list[Clauses], action: Action) -> int:
    """The resume site with this handler table (one per distinct table)."""
    clauses = (action.suspend_tags, action.switch_tags)
    if clauses not in sites:
        sites.append(clauses)
    return sites.index(clauses)


def _countdown(action: Action) -> int:
    """try_tables the exception passes before one catches it: a `throw`
    leaves its own stack first, `resume_throw` is caught from distance 0."""
    if action.kind == Kind.THROW:
        return NEVER if action.catcher == UNCAUGHT else action.catcher - 1
    if action.kind == Kind.RESUME_THROW:
        return NEVER if action.catcher == UNCAUGHT else action.catcher
    return 0


def _produced(before: State, action: Action, after: TraceStep) -> Handle | None:
    """The handle wasm receives in this step, if any (§2.6, I10)."""
    state, event = after.state, after.event
    assert event is not None
    if state.fault:
        return None
    if action.kind == Kind.CONT_NEW and len(state.continuations) > len(before.continuations):
        return Handle(len(before.continuations), 0)
    h = action.handle
    if action.kind == Kind.CONT_BIND and h is not None:
        if before.continuations[h.contref].revision == h.witness:
            return Handle(h.contref, h.witness + 1)
        return None
    last = event.deliveries[-1] if event.deliveries else None
    if action.kind == Kind.SUSPEND and last == ("resume", SUSPEND):
        head = before.running.index
        return Handle(head, state.continuations[head].revision)
    if action.kind == Kind.SWITCH and last is not None and last[1] == SWITCH:
        me = before.running.index
        return Handle(me, state.continuations[me].revision)
    return None
