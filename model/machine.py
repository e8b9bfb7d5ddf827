"""A mutable working copy of one `State`, with the shared sub-procedures of §3.0.

Instructions mutate a `Machine` field by field in Wasmtime's order, so a trap
between two steps leaves exactly the effects that precede it.  `freeze()`
turns it back into an immutable `State`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .state import (
    ABSENT,
    DEAD_INITIAL_STACK,
    ZERO_LIMITS,
    ChainKind,
    ControlContext,
    Handle,
    InitialStackCSI,
    Link,
    StackInfo,
    State,
    Version,
    VMContRef,
    VMStackLimits,
    VMStackState,
    continuation,
    rebuilt,
    record_of,
)

# Trap messages (spec §2.12), as `wasm trap: <msg>` prints them.
NULL_REFERENCE = "null reference"
ALREADY_CONSUMED = "continuation already consumed"
UNHANDLED_TAG = "unhandled tag"
UNREACHABLE = "wasm `unreachable` instruction executed"
UNCAUGHT_EXCEPTION = "uncaught wasm exception"

SUSPEND_HANDLER = 0
SWITCH_HANDLER = 1


class WasmTrap(Exception):
    """A trap raised at the current point of an instruction: `WasmTrap(message)`.

    The message is BaseException's `args[0]`, with no `__init__` or instance
    dict of its own: a third of all steps raise one."""

    @property
    def message(self) -> str:
        return str(self.args[0])


class UndefinedBehaviour(Exception):
    """The real runtime would read or jump through invalid memory here."""


class Unwind(NamedTuple):
    """A trap or exception leaving `on` for the trap handler of `to` (S2)."""

    message: str
    on: Link
    to: Link


class Event(NamedTuple):
    """What one step did, beyond the state it produced (for properties and traces)."""

    outcome: str
    unwinds: tuple[Unwind, ...] = ()
    deliveries: tuple[tuple[str, str], ...] = ()  # (site, control effect), I19
    search: tuple[Link, int, int] | None = None  # SEARCH result (P, E, index), I21
    host_trap: str = ""  # a trap that reached the embedder
    state_changes: tuple[tuple[Link, int, int], ...] = ()  # (stack, old, new), I17


class Machine:
    """Mutable fields of a `State`, plus the event being recorded."""

    def __init__(self, state: State, version: Version, handle_slots: int) -> None:
        self.version = version
        self.handle_slots = handle_slots
        self.conts: list[VMContRef] = list(state.continuations)
        self.acts = list(state.activations)
        self.chain = state.stack_chain
        self.vmctx = state.vmctx
        self.running = state.running
        self.handles: list[Handle] = list(state.handles)
        self.host_error = state.host_error
        self.fault = state.fault
        self.outcome: list[str] = []
        self.unwinds: list[Unwind] = []
        self.deliveries: list[tuple[str, str]] = []
        self.search_result: tuple[Link, int, int] | None = None
        self.host_trap = ""
        self.state_changes: list[tuple[Link, int, int]] = []

    def freeze(self) -> State:
        return record_of(
            State,
            tuple(self.conts),
            tuple(self.acts),
            self.chain,
            self.vmctx,
            self.running,
            tuple(sorted(self.handles)),
            self.host_error,
            self.fault,
        )

    def unchanged(self, state: State) -> bool:
        """Nothing written and nothing recorded: the machine still holds `state`."""
        return (
            not self.outcome
            and not self.unwinds
            and not self.deliveries
            and self.search_result is None
            and not self.host_trap
            and not self.state_changes
            and self.chain == state.stack_chain
            and self.running == state.running
            and self.vmctx == state.vmctx
            and self.host_error == state.host_error
            and self.fault == state.fault
            and _same(self.conts, state.continuations)
            and _same(self.acts, state.activations)
            and _same(self.handles, state.handles)
        )

    def event(self) -> Event:
        return record_of(
            Event,
            "; ".join(self.outcome) or "ok",
            tuple(self.unwinds),
            tuple(self.deliveries),
            self.search_result,
            self.host_trap,
            tuple(self.state_changes),
        )

    @property
    def v48(self) -> bool:
        return self.version >= Version.V48

    # -- stacks -----------------------------------------------------------

    def csi(self, link: Link) -> StackInfo:
        """The CSI a chain link points to (§2.2: both variants point at one)."""
        if link.kind == ChainKind.CONTINUATION:
            return self.conts[link.index]
        if link.kind == ChainKind.INITIAL_STACK and 0 <= link.index < len(self.acts):
            return self.acts[link.index].csi
        if link == DEAD_INITIAL_STACK:
            raise UndefinedBehaviour(
                "access to the initial-stack CSI of a host frame that has returned (#13322)"
            )
        raise UndefinedBehaviour(f"access through the chain link {link}")

    def update(self, link: Link, **fields: Any) -> None:
        """Write fields of the CSI or contref that `link` points to."""
        info = self.csi(link)
        self._log_state(link, info.state, fields)
        if isinstance(info, VMContRef):
            self.conts[link.index] = rebuilt(info, _replaced(info, _CONT_FIELDS, fields))
        else:
            act = self.acts[link.index]
            csi = rebuilt(info, _replaced(info, _CSI_FIELDS, fields))
            self.acts[link.index] = rebuilt(
                act, (csi, act.caller, act.saved_chain, act.saved_limits)
            )

    def cont(self, index: int) -> VMContRef:
        return self.conts[index]

    def set_cont(self, index: int, **fields: Any) -> None:
        c = self.conts[index]
        if "state" in fields:
            self._log_state(continuation(index), c.state, fields)
        self.conts[index] = rebuilt(c, _replaced(c, _CONT_FIELDS, fields))

    def _log_state(self, link: Link, old: int, fields: dict[str, Any]) -> None:
        new = fields.get("state", old)
        if new != old:
            assert isinstance(new, int)
            self.state_changes.append((link, old, new))

    def set_cc(self, index: int, cc: ControlContext) -> None:
        self.set_cont(index, cc=cc)

    # -- limits (§3.0 SAVE_LIMITS / RESTORE_LIMITS, §2.4) -------------------

    def save_limits(self, link: Link, with_stack_limit: bool) -> None:
        old = self.csi(link).limits
        live = self.vmctx
        saved = record_of(
            VMStackLimits,
            live.stack_limit if with_stack_limit else old.stack_limit,
            live.entry_fp,
            live.entry_sp if self.v48 else old.entry_sp,
            live.entry_trap_handler if self.v48 else old.entry_trap_handler,
        )
        self.update(link, limits=saved)

    def restore_limits(self, link: Link) -> None:
        saved = self.csi(link).limits
        live = self.vmctx
        self.vmctx = record_of(
            VMStackLimits,
            saved.stack_limit,
            saved.entry_fp,
            saved.entry_sp if self.v48 else live.entry_sp,
            saved.entry_trap_handler if self.v48 else live.entry_trap_handler,
        )

    def enter_trampoline(self, stack: Link) -> None:
        """An array-to-wasm trampoline writes the three entry fields (§2.1)."""
        self.vmctx = record_of(VMStackLimits, self.vmctx.stack_limit, stack, stack, stack)

    # -- payloads (§3.0 STORE_PAYLOADS, §2.7) -------------------------------

    def store_payloads(self, index: int, count: int) -> None:
        if count == 0:
            return
        c = self.conts[index]
        if c.state == VMStackState.FRESH:  # into the args buffer
            self.set_cont(index, args_len=c.args_len + count)
        else:
            self.set_cont(index, values_len=c.values_len + count)

    # -- handles (§2.6) ----------------------------------------------------

    def consume_operand(self, handle: Handle) -> None:
        """The operand leaves its slot: a program keeps a copy only by copying first."""
        self.handles.remove(handle)

    def check_handle(self, handle: Handle | None) -> VMContRef:
        """The null check and revision check every consuming instruction starts with."""
        if handle is None:
            raise WasmTrap(NULL_REFERENCE)
        c = self.conts[handle.contref]
        if c.revision != handle.witness:
            raise WasmTrap(ALREADY_CONSUMED)
        return c

    def give_handle(self, handle: Handle) -> None:
        """A handle produced for wasm; with every slot full the program drops it."""
        if len(self.handles) < self.handle_slots:
            self.handles.append(handle)
        else:
            self.outcome.append(f"{handle} dropped (handle slots full)")

    # -- handler search (§3.0 SEARCH) ----------------------------------------

    def search(self, start: Link, tag: int, kind: int) -> tuple[Link, int, int]:
        """Innermost handler first, lowest index first, wrong kind skipped (I21)."""
        link = start
        seen: set[Link] = set()
        while True:
            if link.kind == ChainKind.INITIAL_STACK:
                raise WasmTrap(UNHANDLED_TAG)
            if link.kind != ChainKind.CONTINUATION or link in seen:
                raise UndefinedBehaviour(f"SEARCH does not terminate: chain reaches {link} again")
            seen.add(link)
            parent = self.conts[link.index].parent_chain
            if parent == ABSENT:
                raise UndefinedBehaviour(f"SEARCH walks off a chain ending in Absent at {link}")
            info = self.csi(parent)
            fshi = info.first_switch_handler_index
            lo, hi = (0, fshi) if kind == SUSPEND_HANDLER else (fshi, len(info.handlers))
            for i in range(lo, hi):
                if info.handlers[i] == tag:
                    self.search_result = (parent, link.index, i)
                    return parent, link.index, i
            link = parent


def _same(items: list[Any], original: tuple[Any, ...]) -> bool:
    """`items` still holds `original`'s objects: every write builds a new
    record, so identity suffices (a record rebuilt with equal values only
    misses the trap-step memo)."""
    if len(items) != len(original):
        return False
    for i, mine in enumerate(items):  # noqa: SIM110 (mypyc compiles this loop, not all())
        if mine is not original[i]:
            return False
    return True


# Field positions, for writing fields without namedtuple's `_replace`: the
# instructions write a few hundred thousand fields per second of search.
_CONT_FIELDS = {name: i for i, name in enumerate(VMContRef._fields)}
_CSI_FIELDS = {name: i for i, name in enumerate(InitialStackCSI._fields)}


def _replaced(
    record: tuple[Any, ...], positions: dict[str, int], fields: dict[str, Any]
) -> list[Any]:
    """The values of `record` with `fields` written over them."""
    values = list(record)
    for name, value in fields.items():
        values[positions[name]] = value
    return values


def running_default() -> InitialStackCSI:
    """`VMCommonStackInformation::running_default()` (§2.3)."""
    return InitialStackCSI(VMStackState.RUNNING, (), 0, ZERO_LIMITS)
