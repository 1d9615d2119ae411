// The step-through on the drawing: the running node, the nodes run before it and those still
// to run, and each edge that has carried a gradient so far labelled with it (this step's own
// in the running colour). Re-applied after each redraw of what is in the page, like marks.ts.
import { edgeKey, stepMarks } from '../../src/explain/walkthrough';
import { canvas } from './dom';
import { state } from './state';

const SVG = 'http://www.w3.org/2000/svg';
const ROLES = ['gl-step-now', 'gl-step-done', 'gl-step-todo'] as const;
const EDGE_ROLES = ['gl-step-sent', 'gl-step-carried'] as const;

/** Marks the current step on the elements in the page (clears the marks when stepping is off). */
export function markStep(): void {
  canvas.querySelector('.gl-step-labels')?.remove();
  for (const e of canvas.querySelectorAll([...ROLES, ...EDGE_ROLES].map((c) => `.${c}`).join(',')))
    e.classList.remove(...ROLES, ...EDGE_ROLES);
  const mode = state.step;
  canvas.classList.toggle('gl-stepping', mode !== null);
  if (mode === null) return;
  const m = stepMarks(mode.steps, mode.index);
  for (const g of canvas.querySelectorAll<SVGGElement>('g.gl-node')) {
    const id = g.dataset.id ?? '';
    if (id === m.now) g.classList.add('gl-step-now');
    else if (m.done.has(id)) g.classList.add('gl-step-done');
    else if (m.todo.has(id)) g.classList.add('gl-step-todo');
  }
  const layer = document.createElementNS(SVG, 'g');
  layer.classList.add('gl-step-labels');
  for (const p of canvas.querySelectorAll<SVGPathElement>('path.gl-edge')) {
    const label = m.labels.get(edgeKey(p.dataset.id ?? ''));
    if (label === undefined) continue;
    const role = label.now ? 'gl-step-sent' : 'gl-step-carried';
    p.classList.add(role);
    // Beside the edge's middle, where no box is.
    const mid = p.getPointAtLength(p.getTotalLength() / 2);
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', String(mid.x + 4));
    t.setAttribute('y', String(mid.y + 4));
    t.classList.add('gl-step-label', role);
    t.textContent = label.text;
    layer.append(t);
  }
  canvas.querySelector('.gl-graph')?.append(layer);
}
