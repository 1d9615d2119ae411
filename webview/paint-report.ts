// The layout figures a painted graph reports, in the same words in the view's footer and in the
// Output channel. No DOM, no `vscode`: both ends import it.
import type { PaintPhases, WorkerTimes } from './messages';

/**
 * `elk layout 147 ms`, and for a graph just opened what else the layout worker spent before
 * it: the wait for its own start-up (ELK's first layout) and reading the graph. The layout
 * figure alone left a footer of 147 ms next to an Output line of 1,899 ms for the same paint.
 */
export function layoutText(engine: string, layoutMs: number, worker: WorkerTimes | null): string {
  const main = `${engine} layout ${ms(layoutMs)}`;
  if (worker === null) return main;
  return `${main}, after ${ms(worker.startup)} waiting for the layout worker to start and ${ms(worker.read)} reading the graph`;
}

/** The Output channel's line for a painted graph. */
export function paintedLine(m: { nodes: number; engine: string; layoutMs: number; worker: WorkerTimes | null; commandToPaintMs: number | null; phases: PaintPhases | null }): string {
  const p = m.phases;
  return `graph painted: ${m.nodes} boxes, ${layoutText(m.engine, m.layoutMs, m.worker)}` +
    (m.commandToPaintMs === null ? '' : `; command to paint ${ms(m.commandToPaintMs)}`) +
    (p === null ? '' : ` (run ${ms(p.run)}, to the page ${ms(p.send)}, read ${ms(p.read)}, waiting for the layout worker ${ms(p.layout)}, draw ${ms(p.paint)})`);
}

function ms(v: number): string {
  return `${Math.round(v)} ms`;
}
