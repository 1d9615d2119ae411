// Turns the children's results into the one Markdown table the bench prints.
import { METRICS, paramsFor, PEERS, TARGETS } from './config.mjs';

/** Three significant digits, without exponent notation for the sizes we see. */
export function fmt(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

/**
 * @param results Map keyed `${peer}/${workload}` of { ok, metrics?, error?, skipped?, note? }.
 * @param workloads the workloads that ran, in order.
 * @param quick whether the reduced sizes ran (row labels show the sizes).
 * @returns { lines: string[], targets: {metric, text, met, detail}[] }
 */
export function renderTable(results, workloads, quick) {
  const header = ['Workload', 'Unit', ...PEERS.map((p) => p.label), 'Target (Gradlens)'];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i < 2 || i === header.length - 1 ? '---' : '---:')).join('|')}|`,
  ];
  const notes = [];
  const noteIndex = (text) => {
    let i = notes.indexOf(text);
    if (i < 0) i = notes.push(text) - 1;
    return i + 1;
  };
  const targets = [];
  for (const m of METRICS.filter((m) => workloads.includes(m.workload))) {
    const values = {};
    const cells = PEERS.map((peer) => {
      if (m.peer !== undefined && m.peer !== peer.id) return '';
      const r = results.get(`${peer.id}/${m.workload}`);
      if (r === undefined) return 'not run';
      if (!r.ok)
        return r.skipped ? `skipped [${noteIndex(r.error)}]` : `error [${noteIndex(r.error)}]`;
      const v = r.metrics[m.key];
      values[peer.id] = v;
      const mark = r.note ? ` [${noteIndex(r.note)}]` : '';
      return `${fmt(v)}${mark}`;
    });
    // Every target of the metric in one cell, "; "-separated: a second row per target would
    // repeat the numbers it is checked against.
    const targetCell = TARGETS.filter((t) => t.metric === m.key)
      .map((target) => {
        const { met, detail, cell } = checkTarget(target, values);
        targets.push({ metric: m.key, text: target.text, met, detail });
        return cell;
      })
      .join('; ');
    const better = m.better === 'higher' ? 'higher is better' : 'lower is better';
    lines.push(
      `| ${[m.label(paramsFor('gradlens', m.workload, quick)), `${m.unit} (${better})`, ...cells, targetCell].join(' | ')} |`,
    );
  }
  if (notes.length > 0) {
    lines.push('');
    notes.forEach((n, i) => lines.push(`[${i + 1}] ${firstLine(n)}`));
  }
  return { lines, targets };
}

/** A target checked on a row's values by peer id: { met, detail, cell } (cell: its text in the table). */
export function checkTarget(target, values) {
  const { met, detail } = target.check(values);
  const verdict = met === null ? 'n/a' : met ? 'met' : 'NOT met';
  return { met, detail, cell: `${target.text}: **${verdict}**${detail ? ` (${detail})` : ''}` };
}

function firstLine(s) {
  const line =
    String(s)
      .split('\n')
      .find((l) => l.trim() !== '') ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
