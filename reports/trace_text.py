"""A trace as a person reads it: per step the action, the stack that ran it,
what happened, and only the fields that changed."""

from __future__ import annotations

from typing import Any

from contcheck.checker.itf import LoadedTrace, changed_fields


def render_trace(trace: LoadedTrace) -> str:
    meta = trace.meta
    lines = [
        f"{meta.get('property', '?')} on {meta.get('semantics', '?')} semantics, "
        f"bounds {meta.get('bounds', {})}",
        f"  {meta.get('statement', '')}",
        f"  violated: {meta.get('violation', '')}",
        "",
        "step 0: initial state",
        f"  store chain {trace.states[0]['stack_chain']}, running {trace.states[0]['running']}",
    ]
    for i in range(1, len(trace.states)):
        step_meta = trace.step_meta[i]
        lines.append("")
        lines.append(
            f"step {i}: {step_meta.get('action_text', '')}   [on {step_meta.get('ran_on', '?')}]"
        )
        if step_meta.get("outcome"):
            lines.append(f"  -> {step_meta['outcome']}")
        for path, old, new in changed_fields(trace.states[i - 1], trace.states[i]):
            lines.append(f"  {path}: {show_value(old)} -> {show_value(new)}")
    return "\n".join(lines)


def show_value(value: Any) -> str:
    """A field's value in one line (records without their id)."""
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items() if k != "id") + "}"
    return str(value)
