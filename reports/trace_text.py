"""A trace as a person reads it: per step the action, the stack that ran it,
what happened, and only the fields that changed, in columns (field, before,
after) as the HTML report shows them."""

from __future__ import annotations

from typing import Any

from contcheck.checker.itf import LoadedTrace, changed_fields

NOTHING = "(not there)"  # a contref or handle the earlier state does not have


def render_trace(trace: LoadedTrace) -> str:
    meta = trace.meta
    bounds = ", ".join(f"{k} {v}" for k, v in trace.bounds.as_dict().items())
    first = trace.states[0]
    lines = [
        f"{meta.get('property', 'a run')} on {meta.get('semantics', '?')} semantics, {bounds}",
    ]
    if meta.get("statement"):
        lines.append(f"  {meta['statement']}")
    if meta.get("violation"):
        lines.append(f"  violated: {meta['violation']}")
    lines += [
        "",
        "step 0: initial state",
        f"  store chain {show_value(first.get('stack_chain'))},"
        f" running {show_value(first.get('running'))}",
    ]
    for i in range(1, len(trace.states)):
        step_meta = trace.step_meta[i]
        lines.append("")
        lines.append(
            f"step {i}: {step_meta.get('action_text', '')}   [on {step_meta.get('ran_on', '?')}]"
        )
        if step_meta.get("outcome"):
            lines.append(f"  what happened: {step_meta['outcome']}")
        lines += _changes(changed_fields(trace.states[i - 1], trace.states[i]))
    return "\n".join(lines)


def _changes(changes: list[tuple[str, Any, Any]]) -> list[str]:
    if not changes:
        return ["  no field changed"]
    rows = [("changed field", "before", "after")]
    rows += [(path, show_value(old), show_value(new)) for path, old, new in changes]
    wide = [max(len(r[c]) for r in rows) for c in (0, 1)]
    return [f"  {a:<{wide[0]}}  {b:<{wide[1]}}  {c}".rstrip() for a, b, c in rows]


def show_value(value: Any) -> str:
    """A field's value in one line: records as `field value, ...` (without
    their id), lists as `[a, b]`, `(not there)` for what a state lacks."""
    if value is None:
        return NOTHING
    if isinstance(value, dict):
        inner = ", ".join(f"{k} {show_value(v)}" for k, v in value.items() if k != "id")
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    return str(value)
