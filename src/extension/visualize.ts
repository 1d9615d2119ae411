// "Visualize Graph", "Run backward", Re-run and "Capture in full": run the script for what was
// asked and show that graph, or, when the run gave none, why, in the graph view itself.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GraphPanel } from './graph-panel';
import type { FileRun, RunService, RunTarget } from './runs';
import { snapshotOfCell } from './notebook/cell-sources';
import { snapshotAtLine } from './snapshot-lookup';

export class Visualizer {
  /** Per notebook, the cell its last run was for: Re-run runs that cell again, not every cell. */
  private readonly cellTargets = new Map<string, RunTarget>();

  constructor(
    private readonly runs: RunService,
    private readonly panel: GraphPanel,
  ) {}

  async run(
    uri: vscode.Uri,
    target: RunTarget = { kind: 'script' },
    args?: readonly string[],
  ): Promise<void> {
    const requestedAt = Date.now();
    if ('cell' in target && target.cell !== undefined) this.cellTargets.set(uri.fsPath, target);
    const before = this.runs.runsStarted;
    let run: FileRun | null;
    try {
      run = await this.runs.run(uri, target, args);
    } catch (e) {
      // The view may already say that this run goes on: it must not go on saying so.
      if (this.runs.runsStarted <= before + 1)
        this.panel.showFailure(
          uri.fsPath,
          `Gradlens: could not run ${path.basename(uri.fsPath)}: ${(e as Error).message}`,
        );
      throw e;
    }
    // A run a newer one replaced must not take the view from it.
    if (run === null || this.runs.replaced(run)) return;
    const at = graphToShow(run, target);
    if (at >= 0) this.runs.show(run, at, requestedAt);
    // A script that stopped at breakpoints but never called backward(): its last stop.
    else if (target.kind === 'script' && run.stops.length > 0)
      this.runs.showStop(run, run.stops.length - 1, requestedAt);
    else this.panel.showFailure(run.file, whyNoGraph(run, target));
  }

  /** The graph view's Re-run: a notebook's cell as last asked for, a script whole. */
  rerun(uri: vscode.Uri): Promise<void> {
    return this.run(uri, this.cellTargets.get(uri.fsPath) ?? { kind: 'script' });
  }
}

/** Which of a run's snapshots answers `target`, or -1 for none. */
function graphToShow(run: FileRun, target: RunTarget): number {
  switch (target.kind) {
    case 'script':
      return run.snapshots.length - 1;
    case 'stopAfterLine': {
      const at =
        target.cell === undefined
          ? snapshotAtLine(run.snapshots, run.file, target.line)
          : snapshotOfCell(run.snapshots, target.cell, target.line);
      return at >= 0 ? at : run.snapshots.length - 1;
    }
    case 'cell': {
      // The cell's own last backward(); when it made none, the last one of the cells above.
      const at = snapshotOfCell(run.snapshots, target.cell);
      return at >= 0 ? at : run.snapshots.length - 1;
    }
    case 'captureAt':
      return run.snapshots.findIndex((s) => s.index === target.backward && s.detail === 'full');
  }
}

function whyNoGraph(run: FileRun, target: RunTarget): string {
  const name = path.basename(run.file);
  if (run.outcome.kind !== 'finished') return run.outcome.message;
  if (target.kind === 'captureAt')
    return `Gradlens: this run of ${name} did not capture backward() #${target.backward} in full (it made ${run.result.backwardCount} backward() calls).`;
  return `Gradlens: ${name} finished without a graph.`;
}
