"""A counterexample as HTML: per step the action, the stack that ran it, the
chains drawn as boxes (changed stacks outlined), and the changed fields.

Works on the ITF states of a trace file (checker/itf.py), so a report can be
made from the traces of an earlier run as well as from a fresh one.
"""

from __future__ import annotations

import html
from typing import Any

from contcheck.checker.itf import Json, LoadedTrace, changed_fields

from .property_reads import READS, read_fields, stack_states, value_note
from .trace_text import show_value

TRACE_CSS = """
.step { border-left: 3px solid #d0d7de; padding: .2rem 0 .2rem 1rem; margin: .8rem 0; }
.step.last { border-left-color: #d1242f; }
.step h4 { margin: .2rem 0; font-weight: 600; }
.step .on { color: #57606a; font-weight: normal; }
.chains { display: flex; flex-direction: column; gap: .35rem; margin: .4rem 0; }
.chain { display: flex; align-items: center; flex-wrap: wrap; gap: .25rem; font-size: 13px; }
.chain .what { width: 11rem; color: #57606a; }
.stack { border: 1px solid #8c959f; border-radius: 5px; padding: .1rem .45rem;
  font-family: ui-monospace, monospace; }
.stack.changed { outline: 3px solid #bf8700; outline-offset: 1px; }
.arrow { color: #57606a; }
.st-Fresh { background: #e6f4ea; } .st-Running { background: #dbe9ff; }
.st-Parent { background: #ece8ff; } .st-Suspended { background: #fff4d6; }
.st-Returned { background: #eaeef2; } .st-Trapped { background: #ffe1e1; }
table.changes { border-collapse: collapse; font-size: 13px; margin: .3rem 0; }
table.changes td, table.changes th { border: 1px solid #d0d7de; padding: .1rem .5rem;
  text-align: left; font-family: ui-monospace, monospace; }
table.changes th { background: #f6f8fa; font-family: inherit; }
table.reads td.names { font-family: inherit; color: #d1242f; }
table.reads tr.same td:first-child::after { content: " (unchanged)"; color: #57606a; }
"""


def trace_html(trace: LoadedTrace) -> str:
    parts = [_step(trace, i) for i in range(len(trace.states))]
    return "\n".join(parts)


def _step(trace: LoadedTrace, i: int) -> str:
    state, meta = trace.states[i], trace.step_meta[i]
    before = trace.states[i - 1] if i else None
    changes = changed_fields(before, state) if before is not None else []
    marked = changed_stacks(changes)
    if i == 0:
        head = "step 0: the embedder calls an exported function (initial state)"
    else:
        head = f"step {i}: <code>{_e(meta.get('action_text', ''))}</code>"
        head += f' <span class="on">on {_e(meta.get("ran_on", "?"))}</span>'
    outcome = f"<div>→ {_e(meta['outcome'])}</div>" if meta.get("outcome") else ""
    last = i == len(trace.states) - 1
    reads = reads_html(str(trace.meta.get("property", "")), before, state) if last else ""
    return (
        f'<div class="step{" last" if last else ""}"><h4>{head}</h4>{outcome}'
        f"{chains_html(state, marked)}{changes_table(changes)}{reads}</div>"
    )


def reads_html(prop: str, before: Json | None, after: Json) -> str:
    """The fields `prop` reads at the violating step, changed or not, each
    value that names a stack annotated with that stack's state."""
    fields = read_fields(prop, after)
    if not fields:
        return ""
    old = dict(read_fields(prop, before)) if before is not None else {}
    stacks = stack_states(after)
    rows = []
    for path, value in fields:
        same = " class='same'" if path in old and old[path] == value else ""
        prior = show_value(old[path]) if path in old else ""
        note = value_note(value, stacks) if path != "running" else ""
        rows.append(
            f"<tr{same}><td>{_e(path)}</td><td>{_e(prior)}</td><td>{_e(show_value(value))}</td>"
            f'<td class="names">{_e(note)}</td></tr>'
        )
    head = "<tr><th>field read</th><th>before</th><th>after</th><th>what it names</th></tr>"
    return (
        f'<p class="reads-why">{_e(prop)} reads {_e(READS[prop][0])}. Those fields at the '
        "violating step, changed or not:</p>"
        f'<table class="changes reads">{head}{"".join(rows)}</table>'
    )


def changed_stacks(changes: list[tuple[str, Any, Any]]) -> set[str]:
    """Stacks with any changed field: `k1` for continuations[k1]..., `init0`
    for activations[0]...."""
    out = set()
    for path, _, _ in changes:
        if path.startswith("continuations["):
            out.add(path[len("continuations[") : path.index("]")])
        elif path.startswith("activations["):
            out.add("init" + path[len("activations[") : path.index("]")])
    return out


def _walk(state: Json, start: str) -> list[str]:
    """Links from `start` along parent_chain to the first non-continuation."""
    conts = {c["id"]: c for c in state["continuations"]}
    out, link = [start], start
    while link in conts and len(out) < 64:
        link = conts[link]["parent_chain"]
        out.append(link)
    return out


def chains_html(state: Json, marked: set[str]) -> str:
    conts = {c["id"]: c for c in state["continuations"]}
    callers = [a["caller"] for a in state["activations"][1:]][::-1]
    rows = [("store chain (stack_chain)", _walk(state, state["stack_chain"]))]
    rows += [
        (f"caller of host call {len(callers) - j}", _walk(state, h)) for j, h in enumerate(callers)
    ]
    on_chain = {link for _, links in rows for link in links}
    for c in conts.values():
        if c["state"] == "Suspended":
            rows.append((f"suspended chain of {c['id']}", _walk(state, c["id"])))
            on_chain |= set(rows[-1][1])
    loose = [k for k in conts if k not in on_chain]
    if loose:
        rows.append(("not on a chain", loose))
    states = {c["id"]: c["state"] for c in conts.values()}
    for k, act in enumerate(state["activations"]):
        states[f"init{k}"] = act["initial_stack"]["state"]
    body = "".join(_row(what, links, states, marked) for what, links in rows)
    return f'<div class="chains">{body}</div>'


def _row(what: str, links: list[str], states: dict[str, str], marked: set[str]) -> str:
    """One chain as boxes; `states` gives each contref's and live initial
    stack's VMStackState (a dead initial stack has none)."""
    boxes = []
    for link in links:
        state = states.get(link, "")
        cls = f"stack st-{state}" + (" changed" if link in marked else "")
        text = f"{link} {state}" if state else link
        boxes.append(f'<span class="{cls}">{_e(text)}</span>')
    sep = ' <span class="arrow">→</span> ' if what != "not on a chain" else " "
    return f'<div class="chain"><span class="what">{_e(what)}</span>{sep.join(boxes)}</div>'


def changes_table(changes: list[tuple[str, Any, Any]]) -> str:
    if not changes:
        return ""
    rows = "".join(
        f"<tr><td>{_e(p)}</td><td>{_e(show_value(a))}</td><td>{_e(show_value(b))}</td></tr>"
        for p, a, b in changes
    )
    head = "<tr><th>changed field</th><th>before</th><th>after</th></tr>"
    return f'<table class="changes">{head}{rows}</table>'


def _e(text: Any) -> str:
    return html.escape(str(text))
