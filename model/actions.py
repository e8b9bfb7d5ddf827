"""What the most general wasm program (and its host) can do in one step.

An `Action` names an instruction and its operands; `model.environment`
enumerates every action enabled in a state, `model.semantics` executes one.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from .state import Handle

UNCAUGHT = -1  # `catcher` of an exception no try_table catches


class Kind(StrEnum):
    CONT_NEW = "cont.new"
    CONT_BIND = "cont.bind"
    RESUME = "resume"
    SUSPEND = "suspend"
    SWITCH = "switch"
    RESUME_THROW = "resume_throw"
    RESUME_THROW_REF = "resume_throw_ref"  # with a null exnref: traps, no consumption
    RETURN = "return"
    TRAP = "unreachable"
    THROW = "throw"
    HOST_CALL = "host.call"  # wasm calls a host function that re-enters wasm
    HOST_INVOKE = "host.invoke"  # the embedder calls into wasm from outside
    HOST_SWALLOW = "host.swallow"  # the host function catches its nested call's trap
    HOST_RETHROW = "host.rethrow"  # ... or returns it as an error to wasm
    HANDLE_COPY = "handle.copy"
    HANDLE_DROP = "handle.drop"
    GC = "gc"


class Action(NamedTuple):
    """One step.  `handle` None is a null continuation operand (`ref.null`).

    `suspend_tags`/`switch_tags` are the `resume` clauses in Wasmtime's stored
    order (§2.3).  `catcher` counts stacks up the chain from the stack where an
    exception is thrown to the one whose try_table catches it (0 = the
    throwing stack itself), or UNCAUGHT.
    """

    kind: Kind
    handle: Handle | None = None
    tag: int = 0
    suspend_tags: tuple[int, ...] = ()
    switch_tags: tuple[int, ...] = ()
    catcher: int = UNCAUGHT
    null: bool = False  # a null funcref (cont.new) or null exnref (resume_throw_ref)

    def __str__(self) -> str:
        parts = [self.kind.value]
        if self.null and self.kind == Kind.CONT_NEW:
            parts.append("null")
        if self.kind in HANDLE_OPERAND:
            parts.append(str(self.handle) if self.handle else "null")
        if self.null and self.kind == Kind.RESUME_THROW_REF:
            parts.append("(exnref null)")
        if self.kind in (Kind.SUSPEND, Kind.SWITCH):
            parts.append(f"e{self.tag}")
        parts += [f"(on e{t})" for t in self.suspend_tags]
        parts += [f"(on e{t} switch)" for t in self.switch_tags]
        if self.kind in (Kind.THROW, Kind.RESUME_THROW):
            parts.append("uncaught" if self.catcher == UNCAUGHT else f"caught@{self.catcher}")
        return " ".join(parts)


HANDLE_OPERAND = frozenset(
    {
        Kind.CONT_BIND,
        Kind.RESUME,
        Kind.SWITCH,
        Kind.RESUME_THROW,
        Kind.RESUME_THROW_REF,
        Kind.HANDLE_COPY,
        Kind.HANDLE_DROP,
    }
)

# Instructions that consume their handle operand (I10).
CONSUMING = frozenset({Kind.CONT_BIND, Kind.RESUME, Kind.SWITCH, Kind.RESUME_THROW})
