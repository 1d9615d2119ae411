// One self-contained interactive page around the rendered SVG: zoom (wheel), pan (drag),
// search by name, click a node for its details. No external resources, so the file can be
// mailed around or opened offline.
import type { GraphSnapshot } from '../protocol/messages';
import { escapeXml, nodeTitle } from './svg';

const STYLE = `
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
`;

// Runs in the page. Kept as plain ES2017 text so it needs no bundling.
const SCRIPT = `
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
})();
`;

/**
 * @example
 * writeFileSync('graph.html', renderHtml(snapshot, renderSvg(snapshot, layout)));
 */
export function renderHtml(
  snapshot: GraphSnapshot,
  svg: string,
  title = 'Gradlens autograd graph',
): string {
  const data = {
    nodes: snapshot.nodes.map((n) => ({
      id: n.id,
      title:
        nodeTitle(n) + (n.modulePath.length ? `\nmodule path: ${n.modulePath.join(' > ')}` : ''),
      search: `${n.name} ${n.modulePath.join(' ')}`.toLowerCase(),
    })),
  };
  // '<' escaped so no string in the data can close the script element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<style>${STYLE}</style></head>
<body>
<div id="bar"><strong>Gradlens</strong><span>${escapeXml(title)}</span><input id="search" type="search" placeholder="search nodes (e.g. Mul, fc1)"><span id="count"></span><button id="fit">fit</button></div>
<div id="view"><div id="canvas">${svg}</div></div>
<div id="details"></div>
<script type="application/json" id="gl-data">${json}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
