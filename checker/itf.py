"""Traces in the Informal Trace Format (ITF, Apalache ADR-015).

A trace is `{"#meta": {...}, "vars": [...], "states": [...]}`; every state is
a JSON object of the model's variables, with the action that produced it in
the state's own `#meta`.  Values are written as plain JSON numbers, strings,
arrays and records; the reader also takes ITF's tagged forms (`#bigint`,
`#tup`, `#set`, `#map`, `#unserializable`), as Apalache, Quint and itf-py write
them.  A value that is not there (an Absent chain, a null `last_ancestor`, a
zero stack limit, no host error, no fault) is always written ABSENT.  The
bounds are the trace's one parameter (`params`), a record in every state.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contcheck.model import Action, Bounds, BoundsError, Kind, State, Version, VMStackState
from contcheck.model.actions import UNCAUGHT
from contcheck.model.state import HOST_STACK, NO_STACK_LIMIT, Handle, VMStackLimits

from .input_files import InputError, read_json
from .output_files import write_atomically

FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"
VARS = [
    "stack_chain",
    "running",
    "vmctx",
    "continuations",
    "activations",
    "handles",
    "host_error",
    "fault",
]

ABSENT = "Absent"

Json = dict[str, Any]


class TraceError(ValueError):
    """A trace file that is not a contcheck ITF trace (one line for the user)."""


def state_to_itf(state: State) -> Json:
    return {
        "stack_chain": str(state.stack_chain),
        "running": str(state.running),
        "vmctx": _limits(state.vmctx),
        "continuations": [_contref(i, state) for i in range(len(state.continuations))],
        "activations": [
            {
                "initial_stack": {
                    "state": VMStackState(a.csi.state).name.title(),
                    "handlers": [f"e{t}" for t in a.csi.handlers],
                    "first_switch_handler_index": a.csi.first_switch_handler_index,
                    "limits": _limits(a.csi.limits),
                },
                "caller": str(a.caller),
                "saved_chain": str(a.saved_chain),
                "saved_limits": _limits(a.saved_limits),
            }
            for a in state.activations
        ],
        "handles": [{"contref": f"k{h.contref}", "witness": h.witness} for h in state.handles],
        "host_error": state.host_error or ABSENT,
        "fault": state.fault or ABSENT,
    }


def _contref(i: int, state: State) -> Json:
    c = state.continuations[i]
    return {
        "id": f"k{i}",
        "state": VMStackState(c.state).name.title(),
        "parent_chain": str(c.parent_chain),
        "last_ancestor": f"k{c.last_ancestor}" if c.last_ancestor >= 0 else ABSENT,
        "revision": c.revision,
        "handlers": [f"e{t}" for t in c.handlers],
        "first_switch_handler_index": c.first_switch_handler_index,
        "args_len": c.args_len,
        "values_len": c.values_len,
        "limits": _limits(c.limits),
        "control_context": str(c.cc),
    }


def _limits(x: VMStackLimits) -> Json:
    names = {HOST_STACK: "host stack", NO_STACK_LIMIT: ABSENT}
    return {
        "stack_limit": names.get(x.stack_limit, f"stack of k{x.stack_limit}"),
        "entry_fp": str(x.entry_fp),
        "entry_sp": str(x.entry_sp),
        "entry_trap_handler": str(x.entry_trap_handler),
    }


def action_to_json(action: Action) -> Json:
    h = action.handle
    return {
        "kind": action.kind.value,
        "handle": None if h is None else {"contref": h.contref, "witness": h.witness},
        "tag": action.tag,
        "suspend_tags": list(action.suspend_tags),
        "switch_tags": list(action.switch_tags),
        "catcher": action.catcher,
        "null": action.null,
    }


def action_from_json(doc: Any) -> Action:
    """Parse an action; anything malformed is a TraceError."""
    try:
        kind = Kind(doc["kind"])
        h = doc.get("handle")
        handle = None if h is None else Handle(_int(h["contref"]), _int(h["witness"]))
        return Action(
            kind,
            handle,
            _int(doc.get("tag", 0)),
            tuple(_int(t) for t in doc.get("suspend_tags", [])),
            tuple(_int(t) for t in doc.get("switch_tags", [])),
            _int(doc.get("catcher", UNCAUGHT)),
            bool(doc.get("null", False)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise TraceError(f"malformed action {json.dumps(doc)[:120]}: {err}") from None


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def write_trace(path: Path, meta: Json, states: list[tuple[Json, State]]) -> None:
    """`states` pairs each state's #meta with the state; written atomically."""
    params = {"bounds": meta["bounds"]} if "bounds" in meta else {}
    doc = {
        "#meta": {"format": "ITF", "format-description": FORMAT_DESCRIPTION, **meta},
        "params": list(params),
        "vars": VARS,
        "states": [{"#meta": m, **params, **state_to_itf(s)} for m, s in states],
    }
    write_atomically(path, json.dumps(doc, indent=1) + "\n")


class LoadedTrace:
    """A parsed trace: its semantics, bounds, recorded states and actions."""

    def __init__(self, doc: Json) -> None:
        doc = plain(doc)
        meta = doc.get("#meta")
        states = doc.get("states")
        if not isinstance(meta, dict) or not isinstance(states, list) or not states:
            raise TraceError("not an ITF trace: needs '#meta' and a non-empty 'states' list")
        self.meta = meta
        self.version = _version(meta.get("semantics"))
        params = doc.get("params") or []
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            raise TraceError("'params' must be a list of names")
        try:
            first = states[0] if isinstance(states[0], dict) else {}
            self.bounds = Bounds(**(meta.get("bounds") or first.get("bounds") or {}))
        except (TypeError, BoundsError) as err:
            raise TraceError(f"bad bounds in the trace's #meta or params: {err}") from None
        self.property_id = meta.get("property")
        self.states: list[Json] = []
        self.step_meta: list[Json] = []
        self.actions: list[Action] = []
        for i, s in enumerate(states):
            if not isinstance(s, dict) or not isinstance(s.get("#meta"), dict):
                raise TraceError(f"state {i} is not an object with a '#meta'")
            self.states.append({k: v for k, v in s.items() if k != "#meta" and k not in params})
            self.step_meta.append(s["#meta"])
            if i > 0:
                self.actions.append(action_from_json(s["#meta"].get("action")))


def plain(value: Any) -> Any:
    """An ITF value with its tagged forms as plain JSON: `#bigint` an integer,
    `#tup` and `#set` lists, `#map` a record (a list of pairs if a key is not
    a string), `#unserializable` its text."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), *_ = value.items()
        decoded = _tagged(tag, inner)
        if decoded is not _NOT_TAGGED:
            return decoded
    return {k: plain(v) for k, v in value.items()}


_NOT_TAGGED = object()


def _tagged(tag: str, inner: Any) -> Any:
    try:
        if tag == "#bigint":
            return int(inner)
        if tag in ("#tup", "#set"):
            return [plain(v) for v in inner]
        if tag == "#map":
            pairs = [(plain(k), plain(v)) for k, v in inner]
            if all(isinstance(k, str) for k, _ in pairs):
                return dict(pairs)
            return [list(pair) for pair in pairs]
        if tag == "#unserializable":
            return str(inner)
    except (TypeError, ValueError):
        raise TraceError(f"malformed ITF value {{{tag!r}: {json.dumps(inner)[:60]}}}") from None
    return _NOT_TAGGED


def _version(text: Any) -> Version:
    if text == "v44":
        return Version.V44
    if text == "v48":
        return Version.V48
    raise TraceError(f"unknown semantics {text!r} in the trace's #meta (expected v44 or v48)")


def read_trace(path: Path) -> LoadedTrace:
    try:
        doc = read_json(path)
    except InputError as err:
        raise TraceError(str(err)) from None
    if not isinstance(doc, dict):
        raise TraceError(f"{path} is not an ITF trace object")
    return LoadedTrace(doc)


def changed_fields(before: Any, after: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """(path, old, new) for every leaf that differs, in document order."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in list(before) + [k for k in after if k not in before]:
            out += changed_fields(before.get(key), after.get(key), f"{path}.{key}" if path else key)
        return out
    if isinstance(before, list) and isinstance(after, list) and not _is_leaf_list(before, after):
        out = []
        for i in range(max(len(before), len(after))):
            old = before[i] if i < len(before) else None
            new = after[i] if i < len(after) else None
            label = _item_label(old, new, i)
            out += changed_fields(old, new, f"{path}[{label}]")
        return out
    return [] if before == after else [(path, before, after)]


def _is_leaf_list(before: list[Any], after: list[Any]) -> bool:
    return all(not isinstance(x, dict | list) for x in before + after)


def _item_label(old: Any, new: Any, i: int) -> str:
    for item in (new, old):
        if isinstance(item, dict) and "id" in item:
            return str(item["id"])
    return str(i)
