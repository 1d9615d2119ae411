// The layout figures a painted graph reports, in the same words in the view's footer and in the
// Output channel. No DOM, no `vscode`: both ends import it.
import type { PaintPhases, WorkerTimes } from './graph-view';

/**
 * `elk layout 147 ms`, and for a graph just opened what else the layout worker spent before
 * it: the time the request sat queued behind the worker's start-up (loading and warming up
 * ELK) and reading the graph. The layout figure alone left a footer of 147 ms next to an
 * Output line of 1,899 ms for the page's whole wait on the worker, for the same paint.
 */
export function layoutText(engine: string, layoutMs: number, worker: WorkerTimes | null): string {
  const main = `${engine} layout ${ms(layoutMs)}`;
  const before: string[] = [];
  if (worker !== null && Math.round(worker.startup) > 0)
    before.push(`${ms(worker.startup)} queued in the layout worker`);
  if (worker !== null && Math.round(worker.read) > 0)
    before.push(`${ms(worker.read)} reading the graph`);
  return before.length === 0 ? main : `${main}, after ${before.join(' and ')}`;
}

/** The Output channel's line for a painted graph. */
export function paintedLine(m: {
  nodes: number;
  engine: string;
  layoutMs: number;
  worker: WorkerTimes | null;
  commandToPaintMs: number | null;
  phases: PaintPhases | null;
}): string {
  const p = m.phases;
  const answer =
    m.worker === null ? '' : ` (${ms(m.worker.answer)} of it answering after the layout)`;
  return (
    `graph painted: ${m.nodes} boxes, ${layoutText(m.engine, m.layoutMs, m.worker)}` +
    (m.commandToPaintMs === null ? '' : `; command to paint ${ms(m.commandToPaintMs)}`) +
    (p === null
      ? ''
      : ` (run ${ms(p.run)}, to the page ${ms(p.send)}, layout worker ${ms(p.layout)}${answer}, draw ${ms(p.paint)})`)
  );
}

function ms(v: number): string {
  return `${Math.round(v)} ms`;
}
