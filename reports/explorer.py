"""The state-space explorer in the report (after stateright's Explorer): start
at the initial state, list its actions, click one to step, go back along the
path, pin a path and compare it with another, jump to a counterexample's
states, and search the carried states by field or text.

The page carries the states `run_graphs.explorer_data` chose (the shallowest
ones and every counterexample's); successors beyond them are listed but not
followed. Plain JS inlined: the page works offline.

Opened with `#explore-selftest`, the page clicks through the first
counterexample, the initial state's first actions, a search and a pin, as a
person would (click events on the buttons), and writes what the page then
shows into `#explorer-selftest`, for a headless browser's DOM dump.
"""

from __future__ import annotations

import html
import json

from contcheck.checker.itf import Json

EXPLORER_CSS = """
.explorer { border: 1px solid #d0d7de; border-radius: 6px; padding: .6rem .8rem;
  background: #fff; margin: .5rem 0 1.5rem; }
.explorer .ex-bar { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center;
  margin-bottom: .6rem; }
.explorer button { font: inherit; font-size: 13px; cursor: pointer; }
.explorer input.ex-search { flex: 1; min-width: 18rem; font: inherit; font-size: 13px;
  padding: .15rem .4rem; }
.explorer .ex-main { display: grid; grid-template-columns: 20rem minmax(0, 1fr) 24rem;
  gap: .8rem; }
.explorer .ex-col { border: 1px solid #d0d7de; border-radius: 6px; padding: .4rem .6rem;
  background: #f6f8fa; max-height: 40rem; overflow: auto; font-size: 13px; }
.explorer h4 { margin: .2rem 0 .4rem; }
.explorer ol, .explorer ul { margin: 0; padding-left: 1.3rem; }
.explorer li { margin: .15rem 0; }
.explorer li.here { font-weight: 600; }
.explorer pre { white-space: pre-wrap; margin: .2rem 0 .5rem; font-size: 12px; }
.explorer .ex-actions button { text-align: left; }
.explorer .dim { color: #57606a; }
.explorer table { border-collapse: collapse; font-size: 12px; }
.explorer td { border: 1px solid #d0d7de; padding: .05rem .4rem;
  font-family: ui-monospace, monospace; }
.explorer tr.differs td { background: #fff4d6; }
.explorer .bad { color: #d1242f; font-weight: 600; }
"""

HELP = (
    "Start at the initial state and click an action to step; click a step of the path to go "
    "back. Search the states this page carries: <code>running=k0</code>, "
    "<code>continuations[*].state=Suspended</code> (all terms must match), or any text. "
    "Pin a path to compare another with it field by field."
)


def explorer_html(data: Json) -> str:
    states, total = data["states"], data["total"]
    carried = (
        f"all {total:,} states"
        if len(states) >= total
        else f"{len(states):,} of {total:,} states: the {min(total, data['limit']):,} "
        "shallowest (breadth-first order) and every counterexample's"
    )
    traces = "".join(
        f'<button class="ex-trace" data-trace="{html.escape(pid)}">{html.escape(pid)}</button>'
        for pid, path in data["traces"].items()
        if path
    )
    jump = f'<span class="dim">counterexamples:</span> {traces}' if traces else ""
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return f"""<div class="explorer">
<p class="dim">{HELP} This page carries {carried}. States are in canonical form
(contrefs renumbered by symmetry, revisions cut to 0/1).</p>
<div class="ex-bar"><button class="ex-init">initial state</button>{jump}
<input class="ex-search" placeholder="search: field=value ... or text">
<button class="ex-find">search</button><button class="ex-pin">pin this path</button></div>
<div class="ex-main">
<div class="ex-col"><h4>path</h4><ol class="ex-path" start="0"></ol>
<h4>pinned path</h4><ol class="ex-pinned" start="0"><li class="dim">none</li></ol></div>
<div class="ex-col ex-state"></div>
<div class="ex-col"><h4>search results</h4><div class="ex-results dim">none yet</div></div>
</div>
<script type="application/json" class="ex-data">{payload}</script>
</div>"""


EXPLORER_JS = r"""
(function () {
  "use strict";
  var root = document.querySelector(".explorer");
  if (!root) { return; }
  var data = JSON.parse(root.querySelector("script.ex-data").textContent);
  var S = data.states, path = [0], pinned = null, note = "";
  var $ = function (sel) { return root.querySelector(sel); };
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function flat(v, p, out) {
    if (Array.isArray(v) && v.some(function (x) { return x !== null && typeof x === "object"; })) {
      v.forEach(function (x, i) {
        flat(x, p + "[" + (x && x.id !== undefined ? x.id : i) + "]", out);
      });
    } else if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      Object.keys(v).forEach(function (k) { flat(v[k], p ? p + "." + k : k, out); });
    } else { out.push([p, Array.isArray(v) ? JSON.stringify(v) : String(v)]); }
    return out;
  }
  var flatCache = {};
  function fields(id) { return flatCache[id] || (flatCache[id] = flat(S[id].fields, "", [])); }
  function first(id) { return S[id].label.split("\n")[0]; }
  function actionTo(from, to) {
    var hit = (S[from] ? S[from].next : []).filter(function (n) { return n[1] === to; });
    return hit.length ? hit[0][0] : "?";
  }
  function pathTo(id) {
    var out = [];
    for (var i = id; i >= 0 && S[i]; i = S[i].parent) { out.push(i); }
    return out.reverse();
  }
  function fillPath(list, p, clickable) {
    list.innerHTML = "";
    p.forEach(function (id, k) {
      var text = k === 0 ? "state " + id + ": " + first(id)
        : actionTo(p[k - 1], id) + " → state " + id + ": " + first(id);
      var li = el("li", text, k === p.length - 1 ? "here" : "");
      if (clickable) {
        li.style.cursor = "pointer";
        li.addEventListener("click", function () {
          path = path.slice(0, k + 1);
          note = "";
          show();
        });
      }
      list.appendChild(li);
    });
  }
  function show() {
    var id = path[path.length - 1], s = S[id], box = $(".ex-state");
    fillPath($(".ex-path"), path, true);
    box.innerHTML = "";
    box.appendChild(el("h4", "state " + id + " (depth " + s.depth + ")", "ex-title"));
    if (note) { box.appendChild(el("p", note, "bad ex-note")); }
    var drawn = el("div");
    drawn.innerHTML = s.chains;  // built and escaped by trace_html.chains_html
    box.appendChild(drawn);
    box.appendChild(el("h4", s.next.length + " actions"));
    var ul = el("ul", undefined, "ex-actions");
    s.next.forEach(function (n) {
      var li = el("li"), b = el("button", n[0]);
      b.dataset.target = n[1];
      if (S[n[1]]) {
        b.addEventListener("click", function () { path.push(n[1]); note = ""; show(); });
        li.appendChild(b);
        li.appendChild(el("span", " → state " + n[1] + ": " + first(n[1]), "dim"));
      } else {
        b.disabled = true;
        li.appendChild(b);
        li.appendChild(el("span", " → state " + n[1] + " (not carried in this page)", "dim"));
      }
      ul.appendChild(li);
    });
    if (!s.next.length) { ul.appendChild(el("li", "none (a faulted or final state)", "dim")); }
    box.appendChild(ul);
    var other = pinned ? pinned[pinned.length - 1] : null;
    var theirs = {};
    if (other !== null) { fields(other).forEach(function (f) { theirs[f[0]] = f[1]; }); }
    var rows = fields(id), differ = 0, table = el("table", undefined, "ex-fields"), mine = {};
    rows.forEach(function (f) { mine[f[0]] = f[1]; });
    if (other !== null) {
      fields(other).forEach(function (f) { if (!(f[0] in mine)) { rows.push([f[0], "(none)"]); } });
    }
    rows.forEach(function (f) {
      var pin = f[0] in theirs ? theirs[f[0]] : "(none)";
      var tr = el("tr"), d = other !== null && pin !== f[1];
      if (d) { tr.className = "differs"; differ += 1; }
      tr.appendChild(el("td", f[0]));
      tr.appendChild(el("td", f[1]));
      if (other !== null) { tr.appendChild(el("td", d ? "pinned: " + pin : "")); }
      table.appendChild(tr);
    });
    box.appendChild(el("h4", other === null ? "fields"
      : "fields (" + differ + " differ from pinned state " + other + ")", "ex-compare"));
    box.appendChild(table);
  }
  function matches(id, terms) {
    var rows = fields(id);
    return terms.every(function (t) {
      var eq = t.indexOf("=");
      if (eq < 0) {
        t = t.toLowerCase();
        return S[id].label.toLowerCase().indexOf(t) >= 0 || rows.some(function (f) {
          return (f[0] + "=" + f[1]).toLowerCase().indexOf(t) >= 0;
        });
      }
      var key = t.slice(0, eq).replace(/[.+?^${}()|\\]/g, "\\$&").replace(/\[/g, "\\[")
        .replace(/\]/g, "\\]").replace(/\*/g, "[^.\\[\\]]*");
      var re = new RegExp("^" + key + "$"), want = t.slice(eq + 1);
      return rows.some(function (f) { return re.test(f[0]) && f[1] === want; });
    });
  }
  function search(q) {
    var terms = q.split(/\s+/).filter(Boolean), out = $(".ex-results");
    var hits = Object.keys(S).filter(function (id) { return matches(id, terms); });
    out.innerHTML = "";
    out.className = "ex-results";
    out.appendChild(el("p", hits.length + " of " + Object.keys(S).length + " carried states match",
      "ex-count"));
    var ul = el("ul");
    hits.slice(0, 50).forEach(function (id) {
      var li = el("li"), b = el("button", "state " + id);
      b.addEventListener("click", function () { path = pathTo(Number(id)); note = ""; show(); });
      li.appendChild(b);
      li.appendChild(el("span", " " + first(id), "dim"));
      ul.appendChild(li);
    });
    out.appendChild(ul);
    return hits.length;
  }
  $(".ex-init").addEventListener("click", function () { path = [0]; note = ""; show(); });
  document.querySelectorAll(".ex-trace, .ex-open").forEach(function (b) {
    b.addEventListener("click", function () {
      var states = data.traces[b.dataset.trace];
      if (!states || !states.length) { return; }
      path = states.slice();
      note = "counterexample " + b.dataset.trace + ": its last state violates it";
      show();
      if (b.classList.contains("ex-open")) { root.scrollIntoView(); }
    });
  });
  $(".ex-find").addEventListener("click", function () { search($(".ex-search").value); });
  $(".ex-search").addEventListener("keydown", function (e) {
    if (e.key === "Enter") { search($(".ex-search").value); }
  });
  $(".ex-pin").addEventListener("click", function () {
    pinned = path.slice();
    fillPath($(".ex-pinned"), pinned, false);
    show();
  });
  show();

  if (location.hash !== "#explore-selftest") { return; }
  var errors = [], log = {};
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  function click(b) { b.dispatchEvent(new MouseEvent("click", { bubbles: true })); }
  function seen() {
    return {
      title: $(".ex-title").textContent,
      path: Array.prototype.map.call($(".ex-path").children,
        function (li) { return li.textContent; }),
      actions: Array.prototype.map.call(root.querySelectorAll(".ex-actions button"),
        function (b) { return b.textContent; }),
      note: ($(".ex-note") || { textContent: "" }).textContent,
      compare: $(".ex-compare").textContent,
      fields: Array.prototype.map.call(root.querySelectorAll(".ex-fields tr"),
        function (tr) { return tr.children[0].textContent + "=" + tr.children[1].textContent; })
    };
  }
  try {
    var trace = root.querySelector(".ex-trace");
    if (trace) { click(trace); log.trace = trace.dataset.trace; log.counterexample = seen(); }
    click($(".ex-init"));
    log.initial = seen();
    var steps = [];
    for (var k = 0; k < 2; k += 1) {
      var next = root.querySelector(".ex-actions button:not([disabled])");
      if (!next) { break; }
      steps.push(next.textContent);
      click(next);
    }
    log.clicked = steps;
    log.stepped = seen();
    click($(".ex-pin"));
    click(root.querySelector(".ex-path li"));
    log.back = seen();
    $(".ex-search").value = "running=init0 stack_chain=init0";
    click($(".ex-find"));
    log.search = $(".ex-count").textContent;
  } catch (e) { errors.push("selftest: " + e); }
  log.errors = errors;
  var out = el("pre", JSON.stringify(log));
  out.id = "explorer-selftest";
  document.body.appendChild(out);
  document.querySelectorAll("body > section, body > h1, body > p").forEach(function (s) {
    if (!s.querySelector(".explorer")) { s.style.display = "none"; }
  });
})();
"""
