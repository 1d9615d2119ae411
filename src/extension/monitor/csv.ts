// CSV export of one run: every row of its record (a long run's is capped: record-cap.ts), full
// precision (shortest round-trip form), one column per parameter's gradient norm. No `vscode` here.
import type { RunColumns } from '../../protocol/monitor';

/**
 * The run as CSV text (RFC 4180, `\n` line ends). Non-finite numbers are written as `NaN`,
 * `Infinity`, `-Infinity`; an empty cell means no value (no optimizer step, or no gradient
 * for that parameter at that step: the record cannot tell a missing norm from a NaN norm, so
 * both are written `NaN` for gradient norms).
 *
 * @example
 * toCsv(record.columns).split('\n')[0] // 'step,time_ms,loss,lr,grad_norm[fc1.weight],...'
 */
export function toCsv(c: RunColumns): string {
  const params = Object.keys(c.gradNorms);
  const header = ['step', 'time_ms', 'loss', 'lr', ...params.map((p) => `grad_norm[${p}]`)]
    .map(cell)
    .join(',');
  const norms = params.map((p) => c.gradNorms[p]);
  const lines: string[] = [header];
  for (let i = 0; i < c.step.length; i++) {
    let line = `${c.step[i]},${c.timeMs[i]},${c.loss[i]},${Number.isNaN(c.lr[i]) ? '' : c.lr[i]}`;
    for (const col of norms) line += `,${col[i]}`;
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

/** Quotes a cell that holds a comma, quote or line break (parameter names are user text). */
function cell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
