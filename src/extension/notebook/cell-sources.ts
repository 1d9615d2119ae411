// What a run of a notebook's cells is given, and which of its graphs answers a cell. The
// cells come from the editor, unsaved edits included; no `vscode` here, so tests run it as is.
import type { GraphSnapshot, NotebookCellSource } from '../../protocol/messages';
import { backwardCallsIn } from '../backward-calls';

/** A notebook cell as the editor holds it. */
export interface EditorCell {
  readonly kind: 'code' | 'markup';
  /** The cell document's language id (`python`, `markdown`). */
  readonly language: string;
  readonly text: string;
}

/**
 * The code cells up to and including `upTo` (default: all), with their places in the
 * notebook: markdown is left out here, and the runner skips code cells in other languages
 * with a note to the user.
 *
 * @example
 * cellSources([{ kind: 'markup', language: 'markdown', text: '# Q' }, { kind: 'code', language: 'python', text: 'import torch' }])
 * // [{ index: 1, kind: 'code', language: 'python', source: 'import torch' }]
 */
export function cellSources(cells: readonly EditorCell[], upTo?: number): NotebookCellSource[] {
  const out: NotebookCellSource[] = [];
  cells.slice(0, upTo === undefined ? cells.length : upTo + 1).forEach((c, index) => {
    if (c.kind === 'code') out.push({ index, kind: 'code', language: c.language, source: c.text });
  });
  return out;
}

/** 1-based lines of the `.backward(` calls of a Python cell (a "Run backward" each). */
export function backwardLinesOfCell(cell: EditorCell): number[] {
  if (cell.kind !== 'code' || cell.language !== 'python') return [];
  return [...new Set(backwardCallsIn(cell.text, 'python').map((c) => c.line))];
}

/**
 * The 0-based index of the last snapshot whose backward() was called in notebook cell `cell`
 * (at `line` of it, when given), or -1.
 */
export function snapshotOfCell(
  snapshots: readonly GraphSnapshot[],
  cell: number,
  line?: number,
): number {
  for (let s = snapshots.length - 1; s >= 0; s--) {
    const snap = snapshots[s];
    const called = snap.nodes.some(
      (n) =>
        snap.outputs.includes(n.id) &&
        n.location?.cell === cell &&
        (line === undefined || n.location.line === line),
    );
    if (called) return s;
  }
  return -1;
}
