// The details box of a clicked node: its tensors, inputs, saved tensors, module and source,
// with Reveal in editor and a Collapse button for each open group around it.
import { formatShape, formatValues } from '../../src/graph/labels';
import type { GraphNode, TensorSummary } from '../../src/protocol/messages';
import { lineWhere } from '../../src/protocol/where';
import { details, el } from './dom';
import { gradcheckRows, requestGradcheck } from './gradcheck';
import { hidePanel, panelTitle, showPanel } from './panel';
import { containerOf, state, vscode } from './state';

function summaryRows(label: string, t: TensorSummary | null): [string, string][] {
  if (t === null) return [[label, 'None']];
  return [
    [label, formatValues(t) || '(empty)'],
    [`${label} shape`, `${formatShape(t)} ${t.dtype}`],
  ];
}

function rowsOf(n: GraphNode): [string, string][] {
  const byId = state.byId;
  const rows: [string, string][] = [['kind', n.kind === 'accumulate' ? 'AccumulateGrad' : n.kind]];
  if (n.kind === 'function' && n.varName !== undefined) rows.push(['variable', n.varName]);
  if (n.value !== null) rows.push(['shape', formatShape(n.value)], ['dtype', n.value.dtype]);
  rows.push(...summaryRows('value', n.value).slice(0, 1));
  rows.push(...summaryRows(n.kind === 'leaf' ? '.grad' : 'gradient', n.grad).slice(0, 1));
  if (n.kind === 'function' || n.kind === 'accumulate') {
    rows.push([
      'nextFunctions',
      n.next
        .map((e) => (e === null ? 'None' : `${byId.get(e.id)?.name ?? e.id}[${String(e.inputNr)}]`))
        .join(', ') || '()',
    ]);
  }
  if (n.kind === 'output') {
    const fn = n.attachedTo === null ? undefined : byId.get(n.attachedTo);
    if (fn !== undefined) rows.push(['gradFn', fn.name]);
  }
  const saved =
    state.snapshot?.nodes.filter((s) => s.kind === 'saved' && s.attachedTo === n.id) ?? [];
  if (saved.length > 0)
    rows.push([
      'saved tensors',
      saved
        .map(
          (s) =>
            `${s.name}: ${s.value === null ? '?' : `${formatShape(s.value)} ${formatValues(s.value)}`}`,
        )
        .join('\n'),
    ]);
  if (n.modulePath.length) rows.push(['module', n.modulePath.join(' › ')]);
  rows.push(...gradcheckRows(n));
  if (n.location !== null) {
    const loc = n.location;
    const name = loc.file.split(/[\\/]/).pop() ?? '';
    rows.push([
      'source',
      loc.cell === undefined
        ? `${name}:${String(loc.line)}:${String(loc.column)}`
        : `${name}, ${lineWhere(loc)}`,
    ]);
  }
  return rows;
}

/** Shows the details of `n`; `collapse(group)` folds one of the open groups around it. */
export function showDetails(n: GraphNode, collapse: (group: string) => void): void {
  const table = el('table');
  for (const [k, v] of rowsOf(n))
    table.append(el('tr', {}, el('th', { textContent: k }), el('td', { textContent: v })));
  showPanel(
    panelTitle(n.kind === 'accumulate' ? 'AccumulateGrad' : n.name),
    { action: hidePanel },
    table,
  );
  const loc = n.location;
  if (loc !== null) {
    const reveal = el('button', { textContent: 'Reveal in editor' });
    reveal.addEventListener('click', () => {
      vscode.postMessage({
        type: 'reveal',
        file: loc.file,
        line: loc.line,
        column: loc.column,
        ...(loc.cell === undefined ? {} : { cell: loc.cell }),
      });
    });
    details.append(reveal);
  }
  if (n.kind !== 'saved') {
    const check = el('button', {
      className: 'gradcheck-node',
      textContent: 'Check with finite differences',
      title:
        'Check the gradients of the leaves below this node against central differences (reruns the script)',
    });
    check.addEventListener('click', () => {
      requestGradcheck(n.id);
    });
    details.append(check);
  }
  for (let g = containerOf(n.id); g !== null; g = containerOf(g)) {
    const group = g;
    const info = state.groups.get(group);
    if (!state.expanded.has(group) || info === undefined) continue;
    const b = el('button', { textContent: `Collapse ${info.name}`, className: 'collapse-group' });
    b.dataset.group = group;
    b.addEventListener('click', () => {
      collapse(group);
    });
    details.append(b);
  }
}

export function hideDetails(): void {
  hidePanel();
}
