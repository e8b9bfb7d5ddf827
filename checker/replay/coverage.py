"""What a run of the model exercises of the lifecycle (issue 18).

Each step is named by the outcomes it reaches (a resume that runs the
continuation, a suspend handled one or more stacks up, a switch, an exception
caught at some depth, a stale operand, ...).  Walks use these names to steer
toward progress; campaigns add them up so a user sees what the runs reached.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from contcheck.model import UNCAUGHT, Action, Event, Kind, State, VMStackState
from contcheck.model.actions import HANDLE_OPERAND
from contcheck.model.machine import UNCAUGHT_EXCEPTION, UNHANDLED_TAG
from contcheck.model.state import ChainKind, chain_members
from contcheck.properties.transitions import ALLOWED_TRANSITIONS

# The outcomes the summary and the JSON report, in the order they print.
RESUMED = "resume runs the continuation"
SUSPENDED = "suspend handled"
FORWARDED = "suspend forwarded past a handler"
SWITCHED = "switch runs the target"
SWITCH_UNHANDLED = "switch with no handler"
THROWN_INTO = "resume_throw into a suspended continuation"
THROWN_FRESH = "resume_throw into a fresh continuation"
TRAP_INSIDE = "trap inside a continuation"
STALE = "stale operand"
NULL = "null operand"
REENTRY = "host re-entry"
RETURNED = "continuation returns"
CAUGHT = "exception caught at depth"  # followed by the depth

OUTCOMES = (
    RESUMED,
    SUSPENDED,
    FORWARDED,
    SWITCHED,
    SWITCH_UNHANDLED,
    THROWN_INTO,
    THROWN_FRESH,
    TRAP_INSIDE,
    RETURNED,
    STALE,
    NULL,
    REENTRY,
)


def step_outcomes(before: State, action: Action, event: Event) -> tuple[str, ...]:
    """The lifecycle outcomes one step reaches (none for plain bookkeeping)."""
    found: list[str] = []
    effects = {effect for _, effect in event.deliveries}
    operand = _operand(before, action)
    if operand:
        found.append(operand)
    elif action.kind == Kind.RESUME and "RESUME" in effects:
        found.append(RESUMED)
    elif action.kind == Kind.SWITCH:
        found.append(SWITCHED if "SWITCH" in effects else _unhandled(event))
    elif action.kind == Kind.RESUME_THROW:
        found.append(THROWN_INTO if "RESUME_THROW" in effects else THROWN_FRESH)
    if action.kind == Kind.SUSPEND and ("resume", "SUSPEND") in event.deliveries:
        found.append(SUSPENDED)
        if event.search is not None and event.search[1] != before.running.index:
            found.append(FORWARDED)
    if action.kind == Kind.HOST_CALL:
        found.append(REENTRY)
    if ("resume", "RETURN") in event.deliveries:
        found.append(RETURNED)
    if any(_trap_leaves_continuation(u.on.kind, u.message) for u in event.unwinds):
        found.append(TRAP_INSIDE)
    if action.catcher != UNCAUGHT and "exception caught by a try_table" in event.outcome:
        found.append(f"{CAUGHT} {action.catcher}")
    return tuple(o for o in found if o)


def _operand(before: State, action: Action) -> str:
    """A null or stale continuation operand (copy and drop excepted: they
    use the handle without checking it)."""
    if action.kind not in HANDLE_OPERAND or action.kind in (Kind.HANDLE_COPY, Kind.HANDLE_DROP):
        return ""
    if action.handle is None:
        return NULL
    if before.continuations[action.handle.contref].revision != action.handle.witness:
        return STALE
    return ""


def _trap_leaves_continuation(kind: int, message: str) -> bool:
    return kind == ChainKind.CONTINUATION and message != UNCAUGHT_EXCEPTION


def _unhandled(event: Event) -> str:
    return SWITCH_UNHANDLED if f"trap '{UNHANDLED_TAG}'" in event.outcome else ""


def chain_stacks(state: State) -> int:
    """Stacks on the running chain, the initial stack included."""
    if not state.activations:
        return 0
    return len(chain_members(state, state.stack_chain))


def transitions(event: Event) -> set[tuple[int, int]]:
    """The I17 state changes of continuations this step made."""
    return {
        (old, new)
        for link, old, new in event.state_changes
        if link.kind == ChainKind.CONTINUATION and (old, new) in ALLOWED_TRANSITIONS
    }


def allowed_transitions(v48: bool) -> set[tuple[int, int]]:
    """The I17 transitions a version can take (v44 has no Trapped)."""
    if v48:
        return set(ALLOWED_TRANSITIONS)
    return {t for t in ALLOWED_TRANSITIONS if VMStackState.TRAPPED not in t}


@dataclass
class Coverage:
    """What a set of runs reached: outcome counts, the longest chain, the
    I17 transitions taken, and how many runs ran any continuation."""

    outcomes: Counter[str] = field(default_factory=Counter)
    longest_chain: int = 0
    taken: set[tuple[int, int]] = field(default_factory=set)
    runs_running_a_continuation: int = 0

    def add_step(self, before: State, action: Action, after: State, event: Event) -> None:
        self.outcomes.update(step_outcomes(before, action, event))
        self.longest_chain = max(self.longest_chain, chain_stacks(after))
        self.taken |= transitions(event)

    def add_run(self, run: Coverage) -> None:
        self.outcomes.update(run.outcomes)
        self.longest_chain = max(self.longest_chain, run.longest_chain)
        self.taken |= run.taken
        ran = run.outcomes[RESUMED] + run.outcomes[SWITCHED] + run.outcomes[THROWN_INTO]
        self.runs_running_a_continuation += bool(ran)

    def counts(self) -> dict[str, int]:
        """Every outcome (zeros included, so a reader sees what was missed)."""
        caught = sorted(o for o in self.outcomes if o.startswith(CAUGHT))
        return {o: self.outcomes[o] for o in (*OUTCOMES, *caught)}

    def as_dict(self, v48: bool) -> dict[str, object]:
        allowed = allowed_transitions(v48)
        return {
            "outcomes": self.counts(),
            "runs_running_a_continuation": self.runs_running_a_continuation,
            "longest_chain": self.longest_chain,
            "i17_transitions": {
                "taken": len(self.taken & allowed),
                "allowed": len(allowed),
                "missing": sorted(_name(t) for t in allowed - self.taken),
            },
        }


def _name(transition: tuple[int, int]) -> str:
    old, new = transition
    return f"{VMStackState(old).name.title()} -> {VMStackState(new).name.title()}"
