// "Check with finite differences" in the graph view: the toolbar's Check gradients (the whole
// graph) and the details box's button (the leaves below one node) ask the host, which reruns
// the script as a gradient check (src/extension/gradcheck.ts). The answer marks the checked
// boxes (agreeing or not, in theme colours) and lists analytic against numeric values in the
// details box. Marks are re-applied after each redraw, like marks.ts.
import type { GradcheckNode, GradcheckResult } from '../../src/protocol/gradcheck';
import type { GraphNode } from '../../src/protocol/messages';
import {
  checkElementLine,
  checkLines,
  checkTitle,
  checkVerdict,
} from '../../src/explain/gradcheck-text';
import { announce, canvas, checkBtn, details, el } from './dom';
import { hidePanel, panelTitle, showPanel } from './panel';
import { awaitsRead, state, vscode } from './state';

/** The last check's result for the graph shown; whether one is under way. */
let result: GradcheckResult | null = null;
let pending = false;

/** Asks the host to check below node `node` (the whole graph when null). */
export function requestGradcheck(node: string | null): void {
  if (awaitsRead(() => requestGradcheck(node))) return;
  if (pending || state.snapshot === null) return;
  pending = true;
  const run = state.saved.payload?.source;
  // The panel opens while the toolbar's button still has the focus: the focus returns to it.
  showCheckPanel(headingOf(run?.kind === 'run' ? run.backward : null, node), [
    el('p', {
      id: 'gradcheck-message',
      textContent:
        'Checking: the script runs again in float64, twice for each leaf element checked (16 at most)…',
    }),
  ]);
  checkBtn.disabled = true;
  vscode.postMessage({ type: 'gradcheck', node });
}

/** The host's answer. */
export function showGradcheck(r: GradcheckResult): void {
  pending = false;
  checkBtn.disabled = false;
  result = r.outcome === 'unavailable' ? null : r;
  markGradcheck();
  const ofRun = state.saved.payload?.source?.kind === 'run';
  const heading = headingOf(ofRun ? r.backward : null, r.scope);
  const said = r.outcome === 'unavailable' ? `Cannot check: ${r.message}` : r.message;
  const parts: HTMLElement[] = [
    el('p', {
      id: 'gradcheck-message',
      className: r.outcome === 'disagree' ? 'gl-check-bad' : '',
      textContent: said,
    }),
  ];
  if (r.outcome !== 'unavailable')
    parts.push(
      el('div', {
        className: 'muted',
        textContent: `central differences in ${r.dtype}, h = ${String(r.eps)}, relative tolerance ${String(r.rtol)}, ${String(r.runs)} run(s) of the script`,
      }),
      ...r.nodes.map(nodeBlock),
    );
  showCheckPanel(heading, parts);
  announce(`${heading.textContent}: ${said}`);
}

/** After a new graph: no result, nothing pending. */
export function resetGradcheck(): void {
  result = null;
  pending = false;
  checkBtn.disabled = false;
  markGradcheck();
}

/** Marks the checked boxes in the page: agreeing or not. */
export function markGradcheck(): void {
  for (const g of canvas.querySelectorAll('.gl-check-ok, .gl-check-bad'))
    g.classList.remove('gl-check-ok', 'gl-check-bad');
  if (result === null) return;
  for (const n of result.nodes)
    for (const id of drawnIds(n.node)) {
      const g = canvas.querySelector(`g.gl-node[data-id="${CSS.escape(id)}"]`);
      g?.classList.add(n.agree ? 'gl-check-ok' : 'gl-check-bad');
    }
}

/** The rows of node `n`'s details that the last check gives it, if it was checked. */
export function gradcheckRows(n: GraphNode): [string, string][] {
  const checked = result?.nodes.filter((c) => drawnIds(c.node).includes(n.id)) ?? [];
  return checked.map((c) => [
    c.how === 'local' ? 'own function check' : 'finite differences',
    checkLines(c).join('\n'),
  ]);
}

/** A leaf is drawn on its own box or within its AccumulateGrad's: mark both. */
function drawnIds(id: string): string[] {
  const acc = state.byId.get(id)?.attachedTo;
  return acc === null || acc === undefined ? [id] : [id, acc];
}

/** The panel's heading (see checkTitle), with the script's path in its tooltip. */
function headingOf(backward: number | null, scope: string | null): HTMLElement {
  const node = scope === null ? undefined : state.byId.get(scope);
  const below = node === undefined ? null : nameOf(node);
  const file = state.saved.payload?.file ?? '';
  return panelTitle(checkTitle(backward, below, file), { id: 'gradcheck-title', title: file });
}

function nameOf(n: GraphNode): string {
  return n.kind === 'accumulate' ? 'AccumulateGrad' : n.name === '' ? n.id : n.name;
}

function nodeBlock(c: GradcheckNode): HTMLElement {
  return el(
    'div',
    { className: `gl-check-node ${c.agree ? 'gl-check-ok' : 'gl-check-bad'}` },
    el('h3', {
      className: 'panel-subtitle',
      textContent: c.how === 'local' ? `${c.name}: its backward against its forward` : c.name,
    }),
    el('div', { className: 'gl-check-line', textContent: checkVerdict(c) }),
    ...c.elements.map((e) =>
      el('div', {
        className: `gl-check-line${e.agree ? '' : ' gl-check-bad'}`,
        textContent: checkElementLine(e),
      }),
    ),
  );
}

function showCheckPanel(heading: HTMLElement, parts: HTMLElement[]): void {
  const refocus = focusGoes(document.activeElement);
  const x = showPanel(heading, { action: hidePanel }, ...parts);
  if (refocus) x.focus();
}

/**
 * Whether the focus is lost with this panel's update: the button pressed for the check is
 * disabled meanwhile (the toolbar's) or replaced with the panel's content (the details box's).
 */
function focusGoes(focused: Element | null): boolean {
  return (
    focused === null ||
    focused === document.body ||
    focused === checkBtn ||
    details.contains(focused) ||
    (focused instanceof HTMLButtonElement && focused.disabled)
  );
}

export function installGradcheck(): void {
  checkBtn.addEventListener('click', () => {
    requestGradcheck(null);
  });
}
