"""The runtime structures of Wasmtime's stack switching, as immutable values (spec §2).

One `State` is everything the continuation lifecycle depends on: the store's
`stack_chain`, every `VMContRef` the store ever allocated, the initial stack of
each nested host activation, the live entry fields of `VMStoreContext` and the
continuation handles (`VMContObj`) that wasm holds.  All values are tuples of
small integers, so states are hashable and cheap to compare.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import Any, NamedTuple, TypeVar


class Version(IntEnum):
    """The two semantics the model implements (spec §1)."""

    V44 = 44  # tag v44.0.0: the seed release, defects of §3.8, §3.9, §5 included
    V48 = 48  # tag v48.0.0 (and 49.x): Trapped state, trap bubbling, 4-field limits


class VMStackState(IntEnum):
    """`VMStackState` with Wasmtime's discriminants (spec §2.8)."""

    FRESH = 0
    RUNNING = 1
    PARENT = 2
    SUSPENDED = 3
    RETURNED = 4
    TRAPPED = 5  # v48 only


TERMINAL = (VMStackState.RETURNED, VMStackState.TRAPPED)


class ChainKind(IntEnum):
    """`VMStackChain` discriminants (spec §2.2)."""

    ABSENT = 0
    INITIAL_STACK = 1
    CONTINUATION = 2


class Link(NamedTuple):
    """A `VMStackChain` value: `kind` plus the activation or contref index."""

    kind: int
    index: int = 0  # type: ignore[assignment]  # a field, shadowing tuple.index

    def __str__(self) -> str:
        if self.kind == ChainKind.ABSENT:
            return "Absent"
        if self.kind == ChainKind.INITIAL_STACK:
            return "init(dead)" if self.index < 0 else f"init{self.index}"
        return f"k{self.index}"


ABSENT = Link(ChainKind.ABSENT, 0)
# `InitialStack(&csi)` whose host frame has returned: the v44 #13322 dangling pointer.
DEAD_INITIAL_STACK = Link(ChainKind.INITIAL_STACK, -1)


def initial_stack(activation: int) -> Link:
    if 0 <= activation < len(_INITIAL_STACKS):
        return _INITIAL_STACKS[activation]
    return Link(ChainKind.INITIAL_STACK, activation)


def continuation(contref: int) -> Link:
    if 0 <= contref < len(_CONTINUATIONS):
        return _CONTINUATIONS[contref]
    return Link(ChainKind.CONTINUATION, contref)


Record = TypeVar("Record", bound=tuple[Any, ...])
_tuple_new = tuple.__new__


def rebuilt(record: Record, values: Iterable[Any]) -> Record:
    """`type(record)._make(values)` for the hot path: a namedtuple's own
    constructors run as interpreted Python, twice as slow as this one call.
    `values` must have the record's length (its callers copy the record)."""
    return _tuple_new(type(record), values)


def record_of(cls: type[Record], *values: Any) -> Record:
    """`cls(*values)` for the hot path, as `rebuilt`: every field, in order."""
    return _tuple_new(cls, values)


# The links of every stack the bounds allow, built once: the search names a
# stack a few times per step, and a namedtuple is slow to build.
_INITIAL_STACKS = tuple(Link(ChainKind.INITIAL_STACK, k) for k in range(8))
_CONTINUATIONS = tuple(Link(ChainKind.CONTINUATION, i) for i in range(8))


# Native stacks, named by their owner, are the values of stack limits.
HOST_STACK = -1  # the host thread's stack, where activation 0 runs
NO_STACK_LIMIT = -2  # a zero limit: never set


class VMStackLimits(NamedTuple):
    """Saved limits (§2.4); also the live copies in `VMStoreContext` (§2.1).

    `stack_limit` names the native stack it guards (a contref index or
    HOST_STACK).  The entry fields name the stack whose array-to-wasm
    trampoline frame they point into (ABSENT = 0).
    """

    stack_limit: int
    entry_fp: Link
    entry_sp: Link
    entry_trap_handler: Link


ZERO_LIMITS = VMStackLimits(NO_STACK_LIMIT, ABSENT, ABSENT, ABSENT)


class CtrlKind(IntEnum):
    """What a contref's control context holds (spec §2.9, I15)."""

    NONE = 0  # terminal contref: never used again
    LAUNCHPAD = 1  # Fresh: `wasmtime_continuation_start`
    RESUME_POINT = 2  # the resume/switch point in the parent stack `stack`
    SUSPENSION_POINT = 3  # the suspend/switch site of the suspended head `stack`


class ControlContext(NamedTuple):
    kind: int
    stack: Link = ABSENT

    def __str__(self) -> str:
        names = {1: "launchpad", 2: "resume-point", 3: "suspension-point"}
        if self.kind in (CtrlKind.NONE, CtrlKind.LAUNCHPAD):
            return names.get(self.kind, "-")
        return f"{names[self.kind]}({self.stack})"


LAUNCHPAD = ControlContext(CtrlKind.LAUNCHPAD)
NO_CONTEXT = ControlContext(CtrlKind.NONE)

NULL_CONTREF = -1  # a null `*mut VMContRef` (last_ancestor after resume)


class VMContRef(NamedTuple):
    """One continuation object (spec §2.5).

    Payload buffers are abstracted to their `length` fields; capacities and
    data pointers are not modelled (the type system sizes them, §3.0).
    """

    state: int
    parent_chain: Link
    last_ancestor: int
    revision: int
    handlers: tuple[int, ...]  # tag indices: suspend clauses, then switch clauses
    first_switch_handler_index: int
    args_len: int
    values_len: int
    limits: VMStackLimits
    cc: ControlContext


class InitialStackCSI(NamedTuple):
    """The `VMCommonStackInformation` of a host activation's initial stack (§2.3)."""

    state: int
    handlers: tuple[int, ...]
    first_switch_handler_index: int
    limits: VMStackLimits


# Either kind of CSI: both have state, handlers, fshi and limits.
StackInfo = VMContRef | InitialStackCSI


class Activation(NamedTuple):
    """One `invoke_wasm_and_catch_traps` frame and its `EntryStoreContext` (§2.11).

    `caller` is the stack that called the host (ABSENT for the outermost
    activation); `saved_chain` and `saved_limits` are what `EntryStoreContext`
    saved on entry and restores on exit.
    """

    csi: InitialStackCSI
    caller: Link
    saved_chain: Link
    saved_limits: VMStackLimits


class Handle(NamedTuple):
    """A `VMContObj`: contref index and revision witness (§2.6)."""

    contref: int
    witness: int

    def __str__(self) -> str:
        return f"k{self.contref}@{self.witness}"


class State(NamedTuple):
    """One state of the store (spec Appendix A).

    `running` is the stack whose code executes; it equals the head of
    `stack_chain` unless v44's #13322 left the chain dangling.  `host_error`
    is a trap message held by a host function whose nested call failed (§3.8
    step 6).  `fault` describes undefined behaviour; a faulted state is final.
    """

    continuations: tuple[VMContRef, ...]
    activations: tuple[Activation, ...]
    stack_chain: Link
    vmctx: VMStackLimits
    running: Link
    handles: tuple[Handle, ...]
    host_error: str
    fault: str


def chain_members(state: State, start: Link, limit: int = 64) -> list[Link]:
    """The links from `start` along `parent_chain` to the first non-continuation."""
    members = [start]
    link = start
    while link.kind == ChainKind.CONTINUATION and len(members) < limit:
        link = state.continuations[link.index].parent_chain
        members.append(link)
    return members
