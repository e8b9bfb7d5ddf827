"""A self-contained HTML viewer for a drawn graph: pan (drag), zoom (wheel or
buttons), and click a node to read its state.  Plain JS and CSS inlined in
the page: the machine that opens it may be offline.

Opened with `#selftest` in the URL, the page clicks the first node of every
viewer and writes what happened (script errors, node counts, the detail
text) into `#selftest-result`, so a headless browser's DOM dump can be
checked by a test, and hides the parts without a graph, so that a
screenshot shows the graphs and the clicked node.
"""

from __future__ import annotations

import html
import json
from typing import Any

VIEWER_CSS = """
.viewer { display: grid; grid-template-columns: minmax(0, 1fr) 24rem; gap: .75rem;
  margin: .5rem 0 1.5rem; }
.viewer .canvas { position: relative; border: 1px solid #d0d7de; border-radius: 6px;
  height: 34rem; overflow: hidden; background: #fff; cursor: grab; touch-action: none; }
.viewer .canvas.dragging { cursor: grabbing; }
.viewer .canvas svg { width: 100%; height: 100%; display: block; }
.viewer .tools { position: absolute; top: .4rem; left: .4rem; z-index: 1; }
.viewer .tools button { font: inherit; min-width: 2rem; margin-right: .2rem; cursor: pointer; }
.viewer g.node { cursor: pointer; }
.viewer g.node.selected > path, .viewer g.node.selected > polygon,
.viewer g.node.selected > ellipse { stroke: #bf8700; stroke-width: 4px; }
.viewer .detail { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem .75rem;
  height: 33rem; overflow: auto; background: #f6f8fa; }
.viewer .detail h4 { margin: .2rem 0 .5rem; }
.viewer .detail pre { font-size: 12px; white-space: pre-wrap; margin: 0; }
.viewer .hint { color: #57606a; font-size: 13px; }
#selftest-result { white-space: pre-wrap; font-size: 12px; color: #57606a; }
"""

VIEWER_JS = r"""
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  var consoleError = console.error;
  console.error = function () {
    errors.push(Array.prototype.join.call(arguments, " "));
    consoleError.apply(console, arguments);
  };

  function toSvgPoint(svg, x, y) {
    var p = svg.createSVGPoint();
    p.x = x; p.y = y;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }

  function setup(viewer) {
    var canvas = viewer.querySelector(".canvas");
    var svg = canvas.querySelector("svg");
    var panel = viewer.querySelector(".detail");
    var details = JSON.parse(viewer.querySelector("script.details").textContent);
    var b = svg.viewBox.baseVal;
    var home = [b.x, b.y, b.width, b.height];
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    function box(x, y, w, h) { svg.setAttribute("viewBox", [x, y, w, h].join(" ")); }
    function zoom(factor, cx, cy) {
      var v = svg.viewBox.baseVal, p = toSvgPoint(svg, cx, cy);
      box(p.x - (p.x - v.x) * factor, p.y - (p.y - v.y) * factor,
          v.width * factor, v.height * factor);
    }
    function centre() {
      var r = svg.getBoundingClientRect();
      return [r.left + r.width / 2, r.top + r.height / 2];
    }
    canvas.addEventListener("wheel", function (e) {
      e.preventDefault();
      zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, e.clientX, e.clientY);
    }, { passive: false });
    var drag = null;
    canvas.addEventListener("pointerdown", function (e) {
      if (e.target.closest("g.node") || e.target.closest(".tools")) { return; }
      drag = toSvgPoint(svg, e.clientX, e.clientY);
      canvas.classList.add("dragging");
    });
    window.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      var v = svg.viewBox.baseVal, p = toSvgPoint(svg, e.clientX, e.clientY);
      box(v.x - (p.x - drag.x), v.y - (p.y - drag.y), v.width, v.height);
    });
    window.addEventListener("pointerup", function () {
      drag = null;
      canvas.classList.remove("dragging");
    });
    viewer.querySelectorAll(".tools button").forEach(function (button) {
      button.addEventListener("click", function () {
        var c = centre(), act = button.dataset.act;
        if (act === "in") { zoom(1 / 1.4, c[0], c[1]); }
        else if (act === "out") { zoom(1.4, c[0], c[1]); }
        else { box(home[0], home[1], home[2], home[3]); }
      });
    });
    var nodes = svg.querySelectorAll("g.node");
    nodes.forEach(function (node) {
      node.addEventListener("click", function () {
        nodes.forEach(function (n) { n.classList.remove("selected"); });
        node.classList.add("selected");
        var d = details[node.id] || { title: node.id, text: "" };
        panel.innerHTML = "";
        var h = document.createElement("h4");
        h.textContent = d.title;
        var pre = document.createElement("pre");
        pre.textContent = d.text;
        panel.appendChild(h);
        panel.appendChild(pre);
      });
    });
    return { nodes: nodes.length, panel: panel, first: nodes[0] };
  }

  var viewers = [];
  document.querySelectorAll(".viewer").forEach(function (v) {
    try { viewers.push(setup(v)); } catch (e) { errors.push("setup: " + e); }
  });
  if (location.hash === "#selftest") {
    var report = viewers.map(function (v) {
      if (v.first) { v.first.dispatchEvent(new MouseEvent("click", { bubbles: true })); }
      return { nodes: v.nodes, detail: v.panel.textContent };
    });
    var ok = errors.length === 0 && report.length > 0 && report.every(function (r) {
      return r.nodes > 0 && r.detail.length > 0;
    });
    var out = document.createElement("pre");
    out.id = "selftest-result";
    out.textContent = JSON.stringify({ ok: ok, errors: errors, viewers: report });
    document.body.appendChild(out);
    document.title = "selftest " + (ok ? "passed" : "failed");
    // Headless screenshots ignore scrolling: hide what holds no graph instead.
    document.querySelectorAll("body > section, body > p").forEach(function (el) {
      if (!el.querySelector(".viewer")) { el.style.display = "none"; }
    });
  }
})();
"""


def viewer(svg: str, details: dict[str, dict[str, str]], caption: str = "") -> str:
    """One viewer: the drawing, its buttons, the detail panel, the node data."""
    data = json.dumps(details).replace("</", "<\\/")  # cannot close the script
    hint = caption or "Drag to pan, scroll to zoom, click a node to see its state."
    return f"""<div class="viewer">
<div class="canvas"><div class="tools"><button data-act="in" title="zoom in">+</button>\
<button data-act="out" title="zoom out">−</button>\
<button data-act="reset" title="fit">fit</button></div>
{svg}</div>
<div class="detail"><p class="hint">{html.escape(hint)}</p></div>
<script type="application/json" class="details">{data}</script>
</div>"""


def page(title: str, body: str, extra_css: str = "", extra_js: str = "") -> str:
    """A complete page; the scripts run last, once every viewer is in the DOM."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 1.5rem;
  color: #1f2328; line-height: 1.45; max-width: 110rem; }}
code, pre {{ font-family: ui-monospace, "DejaVu Sans Mono", monospace; }}
{VIEWER_CSS}{extra_css}
</style></head>
<body>
{body}
<script>{VIEWER_JS}{extra_js}</script>
</body></html>
"""


def detail_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=1)
