"""The fields each property reads, so a counterexample can show them at its
last step whether they changed or not: v44's S2 is broken by entry fields
that did *not* change when k0 returned (§5.1, #13298).

Patterns are over ITF paths as `changed_fields` writes them
(`continuations[k0].state`, `vmctx.entry_sp`); `*` matches one name or index.
"""

from __future__ import annotations

import re
from typing import Any

from contcheck.checker.itf import Json

CHAINS = ["stack_chain", "continuations[*].state", "continuations[*].parent_chain"]
ENTRY = ["vmctx.entry_sp", "vmctx.entry_trap_handler", "vmctx.entry_fp", "vmctx.stack_limit"]

# property: (how the property reads the state, the fields it reads)
READS: dict[str, tuple[str, list[str]]] = {
    "I1": (
        "the store chain from stack_chain along parent_chain",
        [*CHAINS, "activations[*].initial_stack.state"],
    ),
    "I2": ("each suspended chain along parent_chain", CHAINS),
    "I3": ("each initial stack's state", ["activations[*].initial_stack.state"]),
    "I14": ("the running stack against the store chain's head", [*CHAINS, "running"]),
    "I23": ("whose trampoline the live entry fields point into", [*ENTRY, "running"]),
    "S0": (
        "the step's fault (a trap jumps through the live entry fields)",
        ["fault", "running", *ENTRY, "continuations[*].state"],
    ),
    "S1": (
        "where a continuation's trap lands: its resumer must not see a return",
        ["running", "continuations[*].state"],
    ),
    "S2": (
        "where a trap on the running stack unwinds: the trampoline frame the live "
        "entry_sp and entry_trap_handler point into",
        ["running", "vmctx.entry_sp", "vmctx.entry_trap_handler", "continuations[*].state"],
    ),
    "S3": (
        "the store chain after a host call returns, against its caller",
        ["stack_chain", "activations[*].caller", "activations[*].saved_chain"],
    ),
    "S4": ("the chain a handler search walks", CHAINS),
    "S5": (
        "each suspended chain the GC walks, and the head's suspension point",
        [*CHAINS, "continuations[*].last_ancestor", "continuations[*].control_context"],
    ),
}


def flatten(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every leaf of an ITF state as (path, value), in document order."""
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for key, item in value.items():
            if key != "#meta":
                out += flatten(item, f"{path}.{key}" if path else key)
        return out
    if isinstance(value, list) and any(isinstance(x, dict | list) for x in value):
        out = []
        for i, item in enumerate(value):
            label = item["id"] if isinstance(item, dict) and "id" in item else i
            out += flatten(item, f"{path}[{label}]")
        return out
    return [(path, value)]


def read_fields(prop: str, state: Json) -> list[tuple[str, Any]]:
    """The fields `prop` reads in `state` (none known: an empty list)."""
    patterns = [_regex(x) for x in READS.get(prop, ("", []))[1]]
    return [(p, v) for p, v in flatten(state) if any(x.fullmatch(p) for x in patterns)]


def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", r"[^.\[\]]*"))


def stack_states(state: Json) -> dict[str, str]:
    """Each stack's name to its `VMStackState` (a dead initial stack: none)."""
    out = {c["id"]: c["state"] for c in state["continuations"]}
    for j, act in enumerate(state["activations"]):
        out[f"init{j}"] = act["initial_stack"]["state"]
    return out


def value_note(value: Any, stacks: dict[str, str]) -> str:
    """Why a value that names a stack matters: that stack's state."""
    text = str(value)
    if text not in stacks:
        return ""
    state = stacks[text]
    if state in ("Returned", "Trapped"):
        return f"{text} has {state.lower()}: its frames are gone"
    return f"{text} is {state}"
