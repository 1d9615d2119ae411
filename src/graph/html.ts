// One self-contained interactive page around the rendered SVG: zoom (wheel), pan (drag),
// search by name, click a node for its details, and step through the backward pass (keys
// and buttons) when its flow was recorded. No external resources, so the file can be mailed
// around or opened offline. The page's script reads everything from its embedded JSON
// (`gl-data`, see pageData), so other pages can reuse it with their own markup.
import { checkLines } from '../explain/gradcheck-text';
import { noStepsReason, walkthrough } from '../explain/walkthrough';
import type { GraphSnapshot } from '../protocol/messages';
import { escapeXml, nodeTitle } from './svg';

export const PAGE_STYLE = `
html,body{margin:0;height:100%;font:13px ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace;background:#fafafa;color:#111}
#bar{position:fixed;top:0;left:0;right:0;height:38px;display:flex;gap:8px;align-items:center;padding:0 10px;background:#fff;border-bottom:1px solid #ccc;z-index:2}
#bar input{font:inherit;padding:3px 6px;width:220px}
#view{position:absolute;top:39px;left:0;right:0;bottom:0;overflow:hidden;cursor:grab}
#view.dragging{cursor:grabbing}
#canvas{transform-origin:0 0}
#details{position:fixed;right:10px;top:48px;width:340px;max-height:80%;overflow:auto;background:#fff;border:1px solid #999;padding:8px 10px;white-space:pre-wrap;display:none;z-index:3;box-shadow:0 2px 8px rgba(0,0,0,.2)}
.gl-node{cursor:pointer}
.gl-node.gl-match rect:first-of-type{stroke:#0060df;stroke-width:3}
.gl-node.gl-dim{opacity:.25}
.gl-node.gl-selected rect:first-of-type{stroke:#0060df;stroke-width:3}
#stepper{display:inline-flex;gap:4px;align-items:center}
#stepper[hidden]{display:none}
.gl-node.gl-step-now rect:first-of-type{stroke:#d35400;stroke-width:4}
.gl-node.gl-step-done rect:first-of-type{stroke:#2e7d32;stroke-width:2}
.gl-node.gl-step-todo{opacity:.45}
.gl-edge.gl-step-carried{stroke:#2e7d32;stroke-width:1.8}
.gl-edge.gl-step-sent{stroke:#d35400;stroke-width:2.4}
.gl-step-label{font-size:11px;font-weight:bold;fill:#2e7d32;paint-order:stroke;stroke:#fafafa;stroke-width:3px;pointer-events:none}
.gl-step-label.gl-step-sent{fill:#d35400}
.gl-node.gl-check-ok rect:first-of-type{stroke:#2e7d32;stroke-width:3}
.gl-node.gl-check-bad rect:first-of-type{stroke:#c62828;stroke-width:4;stroke-dasharray:6 3}
#check.gl-check-bad{color:#c62828;font-weight:bold}
`;

// Runs in the page. Kept as plain ES2017 text so it needs no bundling.
export const PAGE_SCRIPT = `
(function(){
  var data = JSON.parse(document.getElementById('gl-data').textContent);
  var byId = {}; data.nodes.forEach(function(n){ byId[n.id] = n; });
  var view = document.getElementById('view'), canvas = document.getElementById('canvas');
  var details = document.getElementById('details'), search = document.getElementById('search'), count = document.getElementById('count');
  var s = 1, tx = 0, ty = 0;
  function apply(){ canvas.style.transform = 'translate(' + tx + 'px,' + ty + 'px) scale(' + s + ')'; }
  function fit(){
    var svg = canvas.querySelector('svg'); var w = svg.width.baseVal.value, h = svg.height.baseVal.value;
    s = Math.min(1.5, view.clientWidth / w, view.clientHeight / h); tx = (view.clientWidth - w * s) / 2; ty = 0; apply();
  }
  view.addEventListener('wheel', function(e){
    e.preventDefault(); var f = Math.exp(-e.deltaY * 0.0015); var r = view.getBoundingClientRect();
    var x = e.clientX - r.left, y = e.clientY - r.top; tx = x - (x - tx) * f; ty = y - (y - ty) * f; s *= f; apply();
  }, { passive: false });
  var drag = null;
  view.addEventListener('mousedown', function(e){ drag = { x: e.clientX - tx, y: e.clientY - ty, moved: false }; view.classList.add('dragging'); });
  window.addEventListener('mousemove', function(e){ if (!drag) return; drag.moved = true; tx = e.clientX - drag.x; ty = e.clientY - drag.y; apply(); });
  window.addEventListener('mouseup', function(){ view.classList.remove('dragging'); setTimeout(function(){ drag = null; }, 0); });
  canvas.addEventListener('click', function(e){
    if (drag && drag.moved) return;
    var g = e.target.closest('.gl-node');
    document.querySelectorAll('.gl-selected').forEach(function(x){ x.classList.remove('gl-selected'); });
    if (!g) { details.style.display = 'none'; return; }
    g.classList.add('gl-selected');
    var n = byId[g.getAttribute('data-id')];
    details.textContent = n ? n.title : g.getAttribute('data-id');
    details.style.display = 'block';
  });
  search.addEventListener('input', function(){
    var q = search.value.trim().toLowerCase(); var hits = 0;
    document.querySelectorAll('.gl-node').forEach(function(g){
      var n = byId[g.getAttribute('data-id')]; var hit = q !== '' && n && n.search.indexOf(q) >= 0;
      if (hit) hits++;
      g.classList.toggle('gl-match', hit); g.classList.toggle('gl-dim', q !== '' && !hit);
    });
    count.textContent = q ? hits + ' match' + (hits === 1 ? '' : 'es') : '';
  });
  document.getElementById('fit').addEventListener('click', fit);
  fit();
  installSteps();
  // The finite-difference check's verdict per drawn box (--gradcheck).
  (data.checks || []).forEach(function(c){
    var g = document.querySelector('.gl-node[data-id="' + CSS.escape(c[0]) + '"]');
    if (g) g.classList.add(c[1] ? 'gl-check-ok' : 'gl-check-bad');
  });

  // Step through backward: data.steps (src/explain/walkthrough.ts) say, per step, which node
  // runs, its words, and the gradients its edges carry.
  function installSteps(){
    var steps = data.steps || [], start = document.getElementById('step'), stepper = document.getElementById('stepper');
    if (!start || !stepper) return;
    var at = -1, layer = null, counter = document.getElementById('step-count');
    if (steps.length === 0) { start.disabled = true; start.title = data.noSteps || 'The backward pass was not recorded for this graph.'; return; }
    function edgeKey(id){ var i = id.indexOf('->'); return i >= 0 && id.indexOf('#', i) >= 0 ? id.slice(i + 2) : id; }
    function clear(){
      document.querySelectorAll('.gl-step-now,.gl-step-done,.gl-step-todo,.gl-step-carried,.gl-step-sent').forEach(function(x){
        x.classList.remove('gl-step-now', 'gl-step-done', 'gl-step-todo', 'gl-step-carried', 'gl-step-sent');
      });
      if (layer) { layer.remove(); layer = null; }
    }
    function show(i){
      at = Math.max(0, Math.min(steps.length - 1, i)); clear();
      var st = steps[at], labels = {}, role = {};
      steps.forEach(function(s, k){
        role[s.node] = k < at ? 'gl-step-done' : k === at ? 'gl-step-now' : 'gl-step-todo';
        if (k <= at) s.edges.forEach(function(e){ labels[e.key] = { text: e.text, now: k === at }; });
      });
      var now = null;
      document.querySelectorAll('.gl-node').forEach(function(g){
        var r = role[g.getAttribute('data-id')]; if (r) g.classList.add(r); if (r === 'gl-step-now') now = g;
      });
      layer = document.createElementNS('http://www.w3.org/2000/svg', 'g');
      document.querySelectorAll('path.gl-edge').forEach(function(p){
        var l = labels[edgeKey(p.getAttribute('data-id'))]; if (!l) return;
        p.classList.add(l.now ? 'gl-step-sent' : 'gl-step-carried');
        var m = p.getPointAtLength(p.getTotalLength() / 2);
        var t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
        t.setAttribute('x', m.x + 4); t.setAttribute('y', m.y + 4);
        t.setAttribute('class', 'gl-step-label' + (l.now ? ' gl-step-sent' : ''));
        t.textContent = l.text; layer.appendChild(t);
      });
      canvas.querySelector('.gl-graph').appendChild(layer);
      counter.textContent = 'step ' + (at + 1) + ' of ' + steps.length;
      details.textContent = st.head + '\\n' + st.rule + '\\n\\n' + (st.sum ? 'summed: ' + st.sum + '\\n' : '') + st.body.join('\\n');
      details.style.display = 'block';
      if (now) keepInView(now.getBoundingClientRect());
    }
    function keepInView(r){
      var v = view.getBoundingClientRect();
      if (r.left >= v.left && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom) return;
      tx += v.left + v.width / 2 - (r.left + r.right) / 2; ty += v.top + v.height / 2 - (r.top + r.bottom) / 2; apply();
    }
    function exit(){ at = -1; clear(); stepper.hidden = true; start.hidden = false; details.style.display = 'none'; }
    start.addEventListener('click', function(){ start.hidden = true; stepper.hidden = false; show(0); });
    document.getElementById('step-first').addEventListener('click', function(){ show(0); });
    document.getElementById('step-prev').addEventListener('click', function(){ show(at - 1); });
    document.getElementById('step-next').addEventListener('click', function(){ show(at + 1); });
    document.getElementById('step-last').addEventListener('click', function(){ show(steps.length - 1); });
    document.getElementById('step-exit').addEventListener('click', exit);
    window.addEventListener('keydown', function(e){
      if (at < 0 || e.target === search || e.ctrlKey || e.metaKey || e.altKey) return;
      var k = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: steps.length - 1 }[e.key];
      if (e.key === 'Escape') exit(); else if (k !== undefined) show(k); else return;
      e.preventDefault();
    });
  }
})();
`;

/** The step-through's controls in the page's bar (see PAGE_SCRIPT's installSteps). */
export const STEP_CONTROLS =
  '<button id="step" title="Walk through the backward pass node by node (keys: ← → Home End, Esc)">Step through backward</button>' +
  '<span id="stepper" hidden><button id="step-first" title="First step (Home)">First</button><button id="step-prev" title="Previous step (←)">◀ Previous</button>' +
  '<span id="step-count"></span><button id="step-next" title="Next step (→)">Next ▶</button><button id="step-last" title="Last step (End)">Last</button><button id="step-exit" title="Leave the step-through (Esc)">Exit</button></span>';

/** What the page's script reads from `gl-data`: each node's text, and the backward pass's steps. */
export function pageData(snapshot: GraphSnapshot): object {
  const checked = snapshot.gradcheck?.nodes ?? [];
  const attached = new Map(snapshot.nodes.map((n) => [n.id, n.attachedTo]));
  // A leaf is drawn on its own box or within its AccumulateGrad's.
  const drawn = (id: string): string[] => [id, attached.get(id) ?? null].filter((x) => x !== null);
  const checkText = (id: string): string =>
    checked
      .filter((c) => drawn(c.node).includes(id))
      .map((c) => `\nfinite differences: ${checkLines(c).join('\n')}`)
      .join('');
  return {
    checks: checked.flatMap((c) => drawn(c.node).map((id) => [id, c.agree])),
    nodes: snapshot.nodes.map((n) => ({
      id: n.id,
      title:
        nodeTitle(n) +
        (n.modulePath.length ? `\nmodule path: ${n.modulePath.join(' > ')}` : '') +
        checkText(n.id),
      search: `${n.name} ${n.varName ?? ''} ${n.modulePath.join(' ')}`.toLowerCase(),
    })),
    steps: walkthrough(snapshot),
    noSteps: noStepsReason(snapshot),
  };
}

/**
 * @example
 * writeFileSync('graph.html', renderHtml(snapshot, renderSvg(snapshot, layout)));
 */
export function renderHtml(
  snapshot: GraphSnapshot,
  svg: string,
  title = 'Gradlens autograd graph',
): string {
  // '<' escaped so no string in the data can close the script element.
  const json = JSON.stringify(pageData(snapshot)).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<style>${PAGE_STYLE}</style></head>
<body>
<div id="bar"><strong>Gradlens</strong><span>${escapeXml(title)}</span><input id="search" type="search" placeholder="search nodes (e.g. Mul, fc1)"><span id="count"></span><button id="fit">fit</button>${STEP_CONTROLS}${checkNote(snapshot)}</div>
<div id="view"><div id="canvas">${svg}</div></div>
<div id="details"></div>
<script type="application/json" id="gl-data">${json}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}

/** The bar's note of the finite-difference check, when the graph carries one. */
function checkNote(snapshot: GraphSnapshot): string {
  const c = snapshot.gradcheck;
  if (c === undefined) return '';
  const bad = c.outcome === 'disagree' ? ' class="gl-check-bad"' : '';
  return `<span id="check"${bad}>gradcheck: ${escapeXml(c.message)}</span>`;
}
