// What each graph node says, shared by the SVG, DOT and HTML renderers so every picture of
// a snapshot reads the same. Pure: no Node or DOM imports (it also runs in a webview worker).
import { decodeNum, type GraphNode, type Num, type TensorSummary } from '../protocol/messages';
import { lineWhere } from '../protocol/where';

/**
 * Short display name: C++ node classes without their namespace (AccumulateGrad, CopySlices),
 * as torchviz shows them.
 */
export function displayName(node: GraphNode): string {
  return node.kind === 'accumulate'
    ? 'AccumulateGrad'
    : node.name.replace(/^torch::autograd::/, '');
}

export function formatNumber(v: number | Num): string {
  const n = typeof v === 'number' ? v : decodeNum(v);
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e6) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return n.toExponential(2);
  return String(Number(n.toPrecision(4)));
}

/** `float32[2, 3]`, or `float32[]` for a scalar, as torchviz prints sizes. */
export function formatShape(t: TensorSummary): string {
  return `(${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''})`;
}

/** A one-line value summary: the value itself for a few elements, else range and mean. */
export function formatValues(t: TensorSummary): string {
  let s: string;
  if (t.numel <= 4 && t.first.length === t.numel) s = t.first.map(formatNumber).join(', ');
  else if (t.min === null || t.max === null || t.mean === null) s = '';
  else s = `${formatNumber(t.min)}..${formatNumber(t.max)} mean ${formatNumber(t.mean)}`;
  const bad: string[] = [];
  if (t.nanCount > 0) bad.push(`${t.nanCount} NaN`);
  if (t.infCount > 0) bad.push(`${t.infCount} Inf`);
  return bad.length ? `${s}${s ? ' ' : ''}[${bad.join(', ')}]` : s;
}

export function hasNonFinite(t: TensorSummary | null): boolean {
  return t !== null && (t.nanCount > 0 || t.infCount > 0);
}

/** Whether the node should be flagged red: NaN or Inf in its value or gradient. */
export function isFlagged(node: GraphNode): boolean {
  return hasNonFinite(node.value) || hasNonFinite(node.grad);
}

export function formatLocation(node: GraphNode): string | null {
  if (node.location === null) return null;
  // A notebook's graph comes from its cells: the cell says more than the file.
  if (node.location.cell !== undefined) return lineWhere(node.location);
  const file = node.location.file.split(/[\\/]/).pop() ?? node.location.file;
  return `${file}:${node.location.line}`;
}

/**
 * The variable line of a function node whose output the source named (`→ Q` under
 * SubBackward0), as agtree2dot labels intermediate tensors; the PyTorch name stays the title.
 */
export function varLine(node: GraphNode): string | null {
  return node.kind === 'function' && node.varName !== undefined ? `→ ${node.varName}` : null;
}

/** The lines drawn inside a node box, first line is the title. */
export function nodeLines(node: GraphNode): string[] {
  const lines = [displayName(node)];
  const named = varLine(node);
  if (named !== null) lines.push(named);
  const v = node.value;
  if (node.kind === 'leaf' || node.kind === 'output' || node.kind === 'saved') {
    if (v !== null) lines[0] = `${displayName(node)} ${formatShape(v)}`;
  } else if (v !== null && v.numel > 4) {
    // Small values are shown in full below; a shape line only helps for larger ones.
    lines.push(formatShape(v));
  }
  if (v !== null && node.kind !== 'accumulate') {
    const text = formatValues(v);
    if (text) lines.push(`value ${text}`);
  }
  if (node.grad !== null) {
    const text = formatValues(node.grad);
    if (text) lines.push(`grad ${text}`);
  }
  const loc = formatLocation(node);
  if (loc !== null && node.kind === 'function') lines.push(loc);
  return lines;
}

/** Node box colours, torchviz's palette: leaves light blue, outputs green, saved orange. */
export function nodeFill(node: GraphNode): string {
  if (isFlagged(node)) return '#ffd6d6';
  switch (node.kind) {
    case 'leaf':
      return '#add8e6';
    case 'output':
      return '#caff70';
    case 'saved':
      return '#ffa500';
    case 'accumulate':
    case 'function':
      return '#d3d3d3';
  }
}

export const FLAG_COLOR = '#d00000';
