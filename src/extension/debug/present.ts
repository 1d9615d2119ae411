// How an inspection is shown: inline value texts and where they go, the hover object, and what
// changed since the previous stop. Pure functions over the debuggee's answer, no `vscode`.
import type { TensorSummary } from '../../protocol/messages';
import type { InspectedTensor, Inspection } from '../../runner/debug/protocol';
import { blankPythonCommentsAndStrings } from '../python-source';
import { tokenize, variableLines } from '../script-tokens';

const SHOWN = 6;

function num(v: number | string): string {
  if (typeof v === 'string') return v === 'Infinity' ? 'inf' : v === '-Infinity' ? '-inf' : 'nan';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

export function shapeText(s: TensorSummary): string {
  return s.shape.length === 0 ? 'scalar' : `[${s.shape.join('×')}]`;
}

/** The values in brief: all of them when few, else the first ones and min/max/mean. */
export function valuesText(s: TensorSummary): string {
  if (s.numel === 0) return '[]';
  if (s.shape.length === 0) return num(s.first[0]);
  const head = s.first.map(num).join(', ');
  if (s.numel <= SHOWN) return `[${head}]`;
  const stats =
    s.min === null || s.max === null || s.mean === null
      ? ''
      : ` min ${num(s.min)} max ${num(s.max)} mean ${num(s.mean)}`;
  const bad = (s.nanCount ? ` ${s.nanCount} NaN` : '') + (s.infCount ? ` ${s.infCount} Inf` : '');
  return `[${head}, …]${stats}${bad}`;
}

/** One line at the end of the line that set the variable: shape, values, grad, gradFn. */
export function inlineText(t: InspectedTensor): string {
  const parts = [`${t.name} = ${shapeText(t.value)} ${valuesText(t.value)}`];
  if (t.grad !== null) parts.push(`grad ${valuesText(t.grad)}`);
  if (t.gradFn !== null) parts.push(t.gradFn);
  else if (t.requiresGrad) parts.push('leaf');
  return parts.join(' · ');
}

/**
 * The object VS Code's debug hover shows for a tensor: a literal built from the summary the
 * stop already fetched, so hovering runs nothing in the debuggee.
 */
export function hoverExpression(t: InspectedTensor): string {
  const o = {
    shape: shapeText(t.value),
    dtype: t.value.dtype,
    values: valuesText(t.value),
    grad: t.grad === null ? null : `${shapeText(t.grad)} ${valuesText(t.grad)}`,
    gradFn: t.gradFn,
    isLeaf: t.isLeaf,
    requiresGrad: t.requiresGrad,
    retainsGrad: t.retainsGrad,
    version: t.version,
  };
  return `(${JSON.stringify(o)})`;
}

/** Finds the tensor a hovered expression names: `w`, `w.grad`, `model.fc1.weight`. */
export function tensorForExpression(inspection: Inspection, expr: string): InspectedTensor | null {
  const direct = inspection.tensors.find((t) => t.name === expr || `this.${t.name}` === expr);
  if (direct !== undefined) return direct;
  const g = /^(.*)\.grad$/.exec(expr);
  if (g === null) return null;
  const base = inspection.tensors.find((t) => t.name === g[1]);
  if (base === undefined || base.grad === null) return null;
  return {
    ...base,
    name: expr,
    value: base.grad,
    grad: null,
    gradFn: null,
    isLeaf: true,
    requiresGrad: false,
    retainsGrad: false,
    nodeId: null,
  };
}

/** A document's lines as `placeInlineValues` reads them: Python with comments and strings blanked. */
export function codeLines(lines: readonly string[], languageId: string): readonly string[] {
  return languageId === 'python'
    ? blankPythonCommentsAndStrings(lines.join('\n')).split('\n')
    : lines;
}

export interface Placement {
  /** 0-based line. */
  line: number;
  text: string;
}

/**
 * Where each tensor variable's inline value goes: the last line in view, at or above the
 * stop, that declares or assigns it (where it got its current value); failing that, the last
 * line there that mentions it. Found from the script's tokens, so strings, template literals
 * and comments never count. Members such as `model.fc1.weight` have no line of their own.
 */
export function placeInlineValues(
  lines: readonly string[],
  tensors: readonly InspectedTensor[],
  stopLine: number,
  firstLine: number,
  lastLine: number,
): Placement[] {
  const out: Placement[] = [];
  const end = Math.min(stopLine, lastLine, lines.length - 1);
  const tokens = tokenize(lines.join('\n'));
  for (const t of tensors) {
    if (!/^[A-Za-z_$][\w$]*$/.test(t.name)) continue;
    const { assigned, mentioned } = variableLines(tokens, t.name);
    const last = (set: Set<number>): number =>
      Math.max(-1, ...[...set].filter((l) => l >= firstLine && l <= end));
    const at = last(assigned);
    const line = at >= 0 ? at : last(mentioned);
    if (line >= 0) out.push({ line, text: inlineText(t) });
  }
  return out;
}

export interface StopChange {
  /** Graph node ids that were not in the previous stop's graph. */
  newNodes: string[];
  /** Names of tensors that are new in scope or whose value, grad or version changed. */
  changed: string[];
}

function sameSummary(a: TensorSummary | null, b: TensorSummary | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What changed between two stops (ids are stable in the debuggee, so they can be compared). */
export function diffInspections(prev: Inspection | null, next: Inspection): StopChange {
  const before = new Map((prev?.tensors ?? []).map((t) => [t.id, t]));
  const oldNodes = new Set((prev?.graph?.nodes ?? []).map((n) => n.id));
  const changed: string[] = [];
  for (const t of next.tensors) {
    const p = before.get(t.id);
    if (
      p === undefined ||
      p.version !== t.version ||
      !sameSummary(p.value, t.value) ||
      !sameSummary(p.grad, t.grad)
    )
      changed.push(t.name);
  }
  const newNodes =
    prev === null
      ? []
      : (next.graph?.nodes ?? []).filter((n) => !oldNodes.has(n.id)).map((n) => n.id);
  return { newNodes, changed };
}

/** A short account for the graph view's title, e.g. `+2 nodes; changed: y, loss`. */
export function changeText(change: StopChange, first: boolean): string {
  if (first) return 'first stop';
  const parts: string[] = [];
  if (change.newNodes.length > 0)
    parts.push(`+${change.newNodes.length} node${change.newNodes.length === 1 ? '' : 's'}`);
  if (change.changed.length > 0)
    parts.push(
      `changed: ${change.changed.slice(0, 6).join(', ')}${change.changed.length > 6 ? ', …' : ''}`,
    );
  return parts.length === 0 ? 'nothing changed' : parts.join('; ');
}
