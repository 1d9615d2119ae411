// How a source location reads in messages: "line 4", or in a notebook "cell 6, line 4".
// Cells are counted from 1 there, as a reader counts them; the protocol's `cell` is 0-based.
import type { SourceLocation } from './messages';

/**
 * @example
 * lineWhere({ file: 'nb.ipynb', line: 4, column: 1, cell: 5 }) // 'cell 6, line 4'
 * lineWhere({ file: 'train.py', line: 4, column: 1 }) // 'line 4'
 */
export function lineWhere(loc: Pick<SourceLocation, 'line' | 'cell'>): string {
  return loc.cell === undefined ? `line ${loc.line}` : `cell ${loc.cell + 1}, line ${loc.line}`;
}
