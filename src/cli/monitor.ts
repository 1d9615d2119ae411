// The training record as a file: JSON (the metrics themselves), CSV (one row per step, a
// column per parameter's gradient norm) or a self-contained HTML page with loss and
// gradient-norm charts. The record is the host's, capped at MAX_ROWS rows (record-cap.ts): a
// long run's file holds real rows with their exact values (each bucket's lowest and highest
// loss, largest gradient, and the last step), not every step.
import { decodeNum, type Num, type TrainMetric } from '../protocol/messages';
import { escapeXml } from '../graph/svg';

export function monitorJson(metrics: TrainMetric[]): string {
  return JSON.stringify({ metrics }, null, 1) + '\n';
}

function cell(v: Num | number | null): string {
  if (v === null) return '';
  const n = typeof v === 'number' ? v : decodeNum(v);
  return Number.isNaN(n) ? 'NaN' : String(n);
}

export function monitorCsv(metrics: TrainMetric[]): string {
  const params = [...new Set(metrics.flatMap((m) => Object.keys(m.gradNorms)))];
  const head = ['step', 'loss', 'time_ms', 'lr', ...params.map((p) => `grad_norm:${p}`)];
  const rows = metrics.map((m) => [
    String(m.step),
    cell(m.loss),
    m.timeMs.toFixed(3),
    cell(m.lr),
    ...params.map((p) => cell(m.gradNorms[p] ?? null)),
  ]);
  return (
    [head, ...rows]
      .map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','))
      .join('\n') + '\n'
  );
}

function chart(
  title: string,
  series: { name: string; points: [number, number][] }[],
  logY: boolean,
): string {
  const W = 720;
  const H = 260;
  const L = 60;
  const B = 30;
  const all = series
    .flatMap((s) => s.points)
    .filter(([, y]) => Number.isFinite(y) && (!logY || y > 0));
  if (all.length === 0) return `<h2>${escapeXml(title)}</h2><p>no finite values</p>`;
  const tf = (y: number): number => (logY ? Math.log10(y) : y);
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => tf(y));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) || 1];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x: number): number => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - 10);
  const py = (y: number): number => 10 + (1 - (tf(y) - y0) / (y1 - y0)) * (H - B - 10);
  const colors = [
    '#1f77b4',
    '#d62728',
    '#2ca02c',
    '#ff7f0e',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#7f7f7f',
  ];
  const lines = series.map((s, i) => {
    const pts = s.points
      .filter(([, y]) => Number.isFinite(y) && (!logY || y > 0))
      .map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`)
      .join(' ');
    return `<polyline fill="none" stroke="${colors[i % colors.length]}" stroke-width="1.5" points="${pts}"><title>${escapeXml(s.name)}</title></polyline>`;
  });
  const label = (v: number): string =>
    logY ? `1e${v.toFixed(1)}` : Number(v.toPrecision(3)).toString();
  const legend = series
    .map((s, i) => `<span style="color:${colors[i % colors.length]}">■ ${escapeXml(s.name)}</span>`)
    .join(' ');
  return `<h2>${escapeXml(title)}</h2><svg width="${W}" height="${H}" style="background:#fff;border:1px solid #ccc">
<line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" stroke="#333"/><line x1="${L}" y1="10" x2="${L}" y2="${H - B}" stroke="#333"/>
<text x="4" y="16" font-size="11">${label(y1)}</text><text x="4" y="${H - B}" font-size="11">${label(y0)}</text>
<text x="${L}" y="${H - 10}" font-size="11">step ${x0}</text><text x="${W - 80}" y="${H - 10}" font-size="11">step ${x1}</text>
${lines.join('\n')}</svg><div>${legend}</div>`;
}

/** `note`: how the record was thinned (strideNote), null when it holds every step. */
export function monitorHtml(
  metrics: TrainMetric[],
  title: string,
  note: string | null = null,
): string {
  const loss = [
    { name: 'loss', points: metrics.map((m) => [m.step, decodeNum(m.loss)] as [number, number]) },
  ];
  const params = [...new Set(metrics.flatMap((m) => Object.keys(m.gradNorms)))];
  const norms = params.map((p) => ({
    name: p,
    points: metrics
      .filter((m) => p in m.gradNorms)
      .map((m) => [m.step, decodeNum(m.gradNorms[p])] as [number, number]),
  }));
  const lrs = metrics.flatMap((m) => (m.lr === null ? [] : [[m.step, m.lr] as [number, number]]));
  const lastLr = lrs.at(-1);
  const last = metrics.at(-1);
  const summary =
    last === undefined
      ? 'no backward() on a scalar was recorded'
      : `${metrics.length} steps${note === null ? '' : ` (${note})`}, final loss at step ${last.step} ${cell(last.loss)}${lastLr ? `, lr ${lastLr[1]}` : ''}`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font:13px ui-monospace,Menlo,Consolas,monospace;margin:20px;color:#111}</style></head><body>
<h1>${escapeXml(title)}</h1><p>${escapeXml(summary)}</p>
${chart('loss (log scale)', loss, true)}
${norms.length ? chart('gradient norm per parameter (log scale)', norms, true) : ''}
${lrs.length ? chart('learning rate', [{ name: 'lr', points: lrs }], false) : ''}
</body></html>
`;
}
