"""`prove --json` results in the report: each engine's verdicts, and every
counterexample to induction drawn like a trace step (the pre-store's chains
as boxes, the action, the changed fields, the fields the property reads)."""

from __future__ import annotations

import html
from typing import Any

from contcheck.checker.itf import Json, changed_fields

from .trace_html import chains_html, changed_stacks, changes_table, reads_html

# What each engine's "proved" means (README: Proofs with z3).
MEANING = {
    "induction": "proved: inductive relative to the other properties and the lemmas, for "
    "every store within these bounds (reachable or not); not inductive: a store that "
    "satisfies them steps to one that breaks the property (a counterexample to "
    "induction, which need not be reachable).",
    "bmc": "no violation: none within the depth; violated: a run from the initial store.",
    "pdr": "proved: Spacer found an inductive invariant that implies the property.",
    "unbounded": "proved: for any number of contrefs (one activation).",
}


def prove_section(docs: list[Json]) -> str:
    out = ["<section id='proofs'><h2>Proofs (<code>contcheck prove</code>)</h2>"]
    if not docs:
        out.append(
            "<p>No proof results in this report: pass <code>--prove FILE</code> with the "
            "output of <code>contcheck prove --json FILE</code>.</p>"
        )
    out += [_one(doc, n) for n, doc in enumerate(docs)]
    return "\n".join(out) + "</section>"


def _one(doc: Json, n: int) -> str:
    engine = str(doc.get("engine", "?"))
    bounds = ", ".join(f"{k}={v}" for k, v in doc.get("bounds", {}).items()) or "any size"
    head = f"<h3>{_e(engine)}, {_e(doc.get('semantics', '?'))} semantics, {_e(bounds)}</h3>"
    rows, ctis = [], []
    for p in doc.get("properties", []):
        status = str(p.get("status", ""))
        cls = "holds" if status == "proved" else "violated" if "not" in status else "open"
        link = ""
        if isinstance(p.get("cti"), dict):
            anchor = f"cti-{n}-{p['id']}"
            link = f' <a href="#{anchor}">counterexample to induction</a>'
            ctis.append(cti_html(str(p["id"]), p["cti"], anchor))
        rows.append(
            f"<tr><td>{_e(p.get('id'))}</td><td><span class='{cls}'>{_e(status)}</span>{link}"
            f"</td><td>{_seconds(p.get('seconds'))}</td><td>{_e(p.get('reason', ''))}</td></tr>"
        )
    table = (
        "<table class='props'><tr><th>id</th><th>status</th><th>seconds</th><th>why</th></tr>"
        f"{''.join(rows)}</table>"
    )
    meaning = f"<p class='src'>{_e(MEANING.get(engine, ''))}</p>"
    return head + meaning + table + "\n".join(ctis)


def cti_html(prop: str, cti: dict[str, Any], anchor: str) -> str:
    pre, post = cti["pre"], cti["post"]
    changes = changed_fields(pre, post)
    return (
        f'<h4 id="{anchor}">{_e(prop)}: counterexample to induction</h4>'
        '<div class="step"><h4>pre-store (satisfies every other property and lemma)</h4>'
        f"{chains_html(pre, changed_stacks(changes))}</div>"
        f'<div class="step last"><h4>step: <code>{_e(cti.get("action", ""))}</code> '
        f'<span class="on">on {_e(cti.get("ran_on", "?"))}</span></h4>'
        f"{chains_html(post, changed_stacks(changes))}{changes_table(changes)}"
        f"{reads_html(prop, pre, post)}</div>"
    )


def _seconds(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, int | float) else ""


def _e(text: Any) -> str:
    return html.escape(str(text))
