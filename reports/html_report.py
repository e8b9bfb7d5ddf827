"""`index.html` of `contcheck report`: one self-contained page for a person
who knows Wasmtime's stack switching but not this tool."""

from __future__ import annotations

import html
from typing import Any

from contcheck.checker.itf import LoadedTrace
from contcheck.properties import PROPERTIES, UNMODELLED

from .explorer import EXPLORER_CSS, EXPLORER_JS
from .graph_viewer import page
from .prove_html import prove_section
from .trace_html import TRACE_CSS, trace_html

REPORT_CSS = """
table.props, table.facts { border-collapse: collapse; margin: .5rem 0 1rem; }
table.props td, table.props th, table.facts td, table.facts th {
  border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; vertical-align: top; }
table.props th, table.facts th { background: #f6f8fa; }
.holds { color: #1a7f37; font-weight: 600; } .violated { color: #d1242f; font-weight: 600; }
.open { color: #9a6700; font-weight: 600; }
.src { color: #57606a; font-size: 13px; }
.note { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .5rem .8rem; }
section { margin-top: 2rem; }
"""

INTRO = """<p>contcheck explored <em>every</em> state that Wasmtime's stack-switching runtime can
reach when the most general wasm program (any sequence of <code>cont.new</code>,
<code>cont.bind</code>, <code>resume</code>, <code>suspend</code>, <code>switch</code>,
<code>resume_throw</code>, returns, traps, exceptions, host calls and GCs, within the bounds
below) runs against it. A state is the store's <code>stack_chain</code>, every
<code>VMContRef</code> (its <code>VMStackState</code>, <code>parent_chain</code>,
<code>last_ancestor</code>, revision, handlers, saved limits, control context), each host
activation's initial stack and the <code>VMContObj</code> handles wasm holds. Each property
below is checked in every state or on every transition; a violated property comes with the
shortest run that breaks it.</p>"""


def report_page(
    doc: dict[str, Any],
    traces: dict[str, LoadedTrace],
    graphs: dict[str, str],
    explorer: str = "",
    proofs: list[dict[str, Any]] | None = None,
) -> str:
    """`doc` is the run's JSON document (reports/document.py); `graphs` maps
    a section title to its drawn viewer (or a note); `explorer` is the
    explorer's HTML (or a note); `proofs` are documents of `prove --json`."""
    title = f"contcheck report: {doc['semantics']} semantics"
    body = [
        f"<h1>{_e(title)}</h1>",
        INTRO,
        '<p class="src">On this page: <a href="#run">the run</a> · <a href="#properties">'
        'properties</a> · <a href="#counterexamples">counterexamples</a> · <a href="#graphs">'
        'the state space</a> · <a href="#explore">explorer</a> · <a href="#proofs">proofs</a></p>',
        _settings(doc),
        _properties(doc),
        _counterexamples(doc, traces, 'class="explorer"' in explorer),
        _graphs(graphs),
        f"<section id='explore'><h2>Explore the state space</h2>{explorer}</section>",
        prove_section(proofs or []),
    ]
    return page(title, "\n".join(body), REPORT_CSS + TRACE_CSS + EXPLORER_CSS, EXPLORER_JS)


def _settings(doc: dict[str, Any]) -> str:
    s = doc["stats"]
    scope = "yes" if doc["exhaustive"] else f"no: stopped early ({doc.get('stop_reason')})"
    facts = [
        ("semantics", f"{doc['semantics']} (Wasmtime tag {doc['semantics'][1:]}.0.0)"),
        ("bounds", ", ".join(f"{k}={v}" for k, v in doc["bounds"].items())),
        ("every reachable state explored", scope),
        ("distinct states", f"{s['states']:,}"),
        ("transitions", f"{s['transitions']:,}"),
        ("longest shortest path (depth)", str(s["depth"])),
        ("time", f"{s['seconds']} s ({s.get('states_per_second', 0):,} states/s)"),
    ]
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts)
    return f'<section id="run"><h2>The run</h2><table class="facts">{rows}</table></section>'


def _properties(doc: dict[str, Any]) -> str:
    catalog = {p.id: p for p in PROPERTIES}
    rows = []
    for p in doc["properties"]:
        prop = catalog.get(p["id"])
        status = p["status"] if doc["exhaustive"] or p["status"] == "violated" else "open"
        text = {"open": "not violated so far"}.get(status, status)
        cell = f'<span class="{status}">{text}</span>'
        if p["status"] == "violated":
            cell += f'<br><a href="#cex-{p["id"]}">{p["trace_length"]} steps</a>: '
            cell += _e(p["message"])
        statement = _e(prop.statement if prop else "")
        source = f'<div class="src">source: {_e(prop.source)}</div>' if prop else ""
        rows.append(f"<tr><td>{p['id']}</td><td>{statement}{source}</td><td>{cell}</td></tr>")
    unmodelled = ", ".join(f"{u.id} ({_e(u.reason)})" for u in UNMODELLED)
    return (
        "<section id='properties'><h2>Properties</h2><table class='props'><tr><th>id</th>"
        f"<th>statement and source</th><th>status</th></tr>{''.join(rows)}</table>"
        f'<p class="src">Not modelled: {unmodelled}</p></section>'
    )


def _counterexamples(doc: dict[str, Any], traces: dict[str, LoadedTrace], explorable: bool) -> str:
    out = ["<section id='counterexamples'><h2>Counterexamples</h2>"]
    if not traces:
        out.append("<p>None: no property was violated.</p>")
    out.append(
        "<p>Each is a concrete run (real contref numbers and revisions). Per step: the "
        "instruction and the stack that executed it, every chain drawn head first (outlined: "
        "stacks with a changed field), and the fields that changed; at the last step, every "
        "field the violated property reads, changed or not.</p>"
    )
    for pid, trace in sorted(traces.items()):
        meta = trace.meta
        button = (
            f' <button class="ex-open" data-trace="{pid}">open its states in the explorer</button>'
            if explorable
            else ""
        )
        out.append(
            f'<h3 id="cex-{pid}">{pid}: {_e(meta.get("statement", ""))}</h3>'
            f"<p>Violated at the last step: <strong>{_e(meta.get('violation', ''))}</strong>"
            f"{button}</p>" + trace_html(trace)
        )
    return "\n".join(out) + "</section>"


def _graphs(graphs: dict[str, str]) -> str:
    out = ["<section id='graphs'><h2>The state space</h2>"]
    out += [f"<h3>{_e(title)}</h3>{fragment}" for title, fragment in graphs.items()]
    return "\n".join(out) + "</section>"


def _e(text: Any) -> str:
    return html.escape(str(text))
