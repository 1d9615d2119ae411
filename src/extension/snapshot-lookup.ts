// What hovers, inline gradients and the "Visualize" lens read from a run's snapshots. Pure, so
// it is unit-tested on real runner snapshots without VS Code.
import { formatShape, formatValues } from '../graph/labels';
import type { GraphNode, GraphSnapshot, TensorSummary } from '../protocol/messages';
import { samePath } from '../protocol/paths';
import {
  memberAssignmentLines,
  retainedGradients,
  tokenize,
  variableLines,
  type Token,
} from './script-tokens';

export interface TensorInfo {
  readonly name: string;
  readonly value: TensorSummary | null;
  readonly grad: TensorSummary | null;
  /** The node that made the tensor (`MulBackward0`), null for leaves. */
  readonly gradFn: string | null;
  /** 1-based index of the backward() the info comes from. */
  readonly backward: number;
  readonly kind: GraphNode['kind'];
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * Whether `loc` is in `file`, and in notebook cell `cell` (0-based) when one is given: a
 * notebook's locations carry their cell, and a cell's lines count from the cell's start.
 */
function isIn(loc: GraphNode['location'], file: string, cell: number | undefined): boolean {
  return loc !== null && samePath(loc.file, file) && (cell === undefined || loc.cell === cell);
}

/**
 * The 1-based line declaring or assigning `name` at or above `beforeLine` (`const name =`,
 * `let name:`, `name =`), or null: enough to go from a use of a variable to the line that made
 * it. From the script's tokens, so text in strings, templates and comments never counts.
 */
export function declarationLine(
  text: string,
  name: string,
  beforeLine = Number.MAX_SAFE_INTEGER,
): number | null {
  if (!IDENT.test(name)) return null;
  const lines = [...variableLines(tokenize(text), name).assigned].filter((l) => l < beforeLine);
  return lines.length === 0 ? null : Math.max(...lines) + 1;
}

function infoOf(snapshot: GraphSnapshot, n: GraphNode, byId: Map<string, GraphNode>): TensorInfo {
  const fn =
    n.kind === 'output' && n.attachedTo !== null
      ? byId.get(n.attachedTo)
      : n.kind === 'function'
        ? n
        : undefined;
  return {
    name: n.name,
    value: n.value,
    grad: n.grad,
    gradFn: fn?.name ?? null,
    backward: snapshot.index,
    kind: n.kind,
  };
}

/** The leaf or output named `word` (and passing `where`) of the last snapshot that has one. */
function namedTensor(
  snapshots: readonly GraphSnapshot[],
  word: string,
  where: (n: GraphNode) => boolean,
): TensorInfo | null {
  for (let s = snapshots.length - 1; s >= 0; s--) {
    const snap = snapshots[s];
    const named = snap.nodes.filter(
      (n) => (n.kind === 'leaf' || n.kind === 'output') && n.name === word && where(n),
    );
    if (named.length > 0) {
      const byId = new Map(snap.nodes.map((n) => [n.id, n]));
      // A leaf over an output of the same name: the leaf holds `.grad`.
      const pick = named.find((n) => n.kind === 'leaf') ?? named[0];
      return infoOf(snap, pick, byId);
    }
  }
  return null;
}

/**
 * The tensor a hover over `word` means, from the last snapshot that knows it: a leaf or output
 * of that name, else the last operation on the line declaring it (its value is the variable's).
 *
 * @example
 * lookupTensor(snapshots, '/ws/a.ts', text, 9, 'x') // { name: 'x', grad: { first: [7] ... } ... }
 */
export function lookupTensor(
  snapshots: readonly GraphSnapshot[],
  file: string,
  text: string,
  line: number,
  word: string,
  cell?: number,
): TensorInfo | null {
  if (!IDENT.test(word)) return null;
  // In a notebook, a name means this cell's tensor first; another cell's only when this cell
  // made none of that name.
  const here = (n: GraphNode): boolean => cell === undefined || isIn(n.location, file, cell);
  return (
    namedTensor(snapshots, word, here) ??
    assignedTensor(snapshots, file, text, line, word, cell) ??
    (cell === undefined ? null : namedTensor(snapshots, word, () => true))
  );
}

/** The last operation on the line assigning `word` at or above `line`, as that variable. */
function assignedTensor(
  snapshots: readonly GraphSnapshot[],
  file: string,
  text: string,
  line: number,
  word: string,
  cell: number | undefined,
): TensorInfo | null {
  const declared = declarationLine(text, word, line);
  if (declared === null) return null;
  for (let s = snapshots.length - 1; s >= 0; s--) {
    const snap = snapshots[s];
    let best: GraphNode | null = null;
    for (const n of snap.nodes) {
      if (n.kind !== 'function' || n.location?.line !== declared || !isIn(n.location, file, cell))
        continue;
      if (best === null || n.sequenceNr > best.sequenceNr) best = n;
    }
    if (best !== null) return { ...infoOf(snap, best, new Map()), name: word };
  }
  return null;
}

export function describeSummary(t: TensorSummary): string {
  return `${t.dtype} ${formatShape(t)} ${formatValues(t)}`.trim();
}

/** Hover text (Markdown) for a tensor; `property` 'grad' when the hover is on `x.grad`. */
export function hoverMarkdown(info: TensorInfo, property: 'grad' | null): string {
  const lines: string[] = [];
  if (property === 'grad') {
    lines.push(`**${info.name}.grad** (backward() #${info.backward} of the last run)`, '');
    lines.push(info.grad === null ? '`None`' : `\`${describeSummary(info.grad)}\``);
    return lines.join('\n');
  }
  lines.push(
    `**${info.name}**: ${info.kind === 'function' ? 'tensor' : info.kind} (backward() #${info.backward} of the last run)`,
    '',
  );
  if (info.value !== null) {
    lines.push(
      `- value: \`${formatValues(info.value)}\``,
      `- shape: \`${formatShape(info.value)}\``,
      `- dtype: \`${info.value.dtype}\``,
    );
  }
  lines.push(
    `- ${info.kind === 'leaf' ? '.grad' : 'gradient'}: \`${info.grad === null ? 'None' : formatValues(info.grad)}\``,
  );
  lines.push(`- gradFn: \`${info.gradFn ?? 'None'}\``);
  return lines.join('\n');
}

export interface InlineGradient {
  /** 1-based line the text goes at the end of. */
  readonly line: number;
  readonly text: string;
}

/** Where a leaf's inline `.grad` goes: the line that creates it, or the line of the op that first used it. */
export type InlinePlacement = 'creation' | 'use';

/**
 * The 1-based line that creates the leaf `name`, at or above `useLine`: a variable's
 * declaration or assignment, and for a parameter (`fc1.weight`) the line that makes its
 * module (`fc1 = new nn.Linear(…)`, `this.fc1 =`, `self.fc1 =`). Null when the source does not
 * say (`0.weight` of an `nn.Sequential`).
 */
function creationLine(tokens: readonly Token[], name: string, useLine: number): number | null {
  const parts = name.split('.');
  const owner = parts.length === 1 ? name : parts[parts.length - 2];
  if (!IDENT.test(owner)) return null;
  const lines = [...variableLines(tokens, owner).assigned];
  if (parts.length > 1) lines.push(...memberAssignmentLines(tokens, owner));
  const above = lines.filter((l) => l < useLine);
  return above.length === 0 ? null : Math.max(...above) + 1;
}

/**
 * `x.grad = 7` at the end of the line that created each captured leaf of `file` (see
 * `placement`; the op's line when the source does not say), and `Q.grad = -32` at the
 * declaration of each non-leaf the script keeps the gradient of (`Q.retainGrad()`); the last
 * snapshot wins.
 */
export function inlineGradients(
  snapshots: readonly GraphSnapshot[],
  file: string,
  text: string,
  placement: InlinePlacement = 'creation',
  cell?: number,
): InlineGradient[] {
  const tokens = tokenize(text);
  const byLine = new Map<number, Map<string, string>>();
  const put = (line: number, name: string, grad: TensorSummary): void => {
    const m = byLine.get(line) ?? new Map<string, string>();
    byLine.set(line, m);
    m.set(name, `${name}.grad = ${formatValues(grad)}`);
  };
  for (const snap of snapshots) {
    for (const n of snap.nodes) {
      if (n.kind !== 'leaf' || n.grad === null || n.location === null) continue;
      if (!isIn(n.location, file, cell)) continue;
      const created =
        placement === 'creation' ? creationLine(tokens, n.name, n.location.line) : null;
      put(created ?? n.location.line, n.name, n.grad);
    }
  }
  for (const kept of retainedGradients(tokens)) {
    const info = lookupTensor(snapshots, file, text, kept.line + 1, kept.name, cell);
    const line = declarationLine(text, kept.name, kept.line + 1);
    if (info?.kind === 'function' && info.grad !== null && line !== null)
      put(line, kept.name, info.grad);
  }
  return [...byLine.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([line, m]) => ({ line, text: [...m.values()].join('   ') }));
}

/** The 0-based index of the last snapshot whose backward() was called at `line` of `file`, or -1. */
export function snapshotAtLine(
  snapshots: readonly GraphSnapshot[],
  file: string,
  line: number,
): number {
  for (let s = snapshots.length - 1; s >= 0; s--) {
    const snap = snapshots[s];
    const outs = new Set(snap.outputs);
    if (
      snap.nodes.some(
        (n) =>
          outs.has(n.id) &&
          n.location !== null &&
          n.location.line === line &&
          samePath(n.location.file, file),
      )
    )
      return s;
  }
  return -1;
}
