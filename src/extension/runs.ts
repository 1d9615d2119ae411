// Running a script for its graphs: the runner child (never the extension host) executes user
// code; the graph view's running page (or else a progress notification) offers a Stop that
// kills the child. Each file keeps the
// snapshots of its last run for the graph view, the picker, hovers and inline gradients.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GraphPayload } from '../protocol/graph-view';
import type { ChildMessage, GraphSnapshot } from '../protocol/messages';
import { samePath } from '../protocol/paths';
import { lineWhere } from '../protocol/where';
import { languageOf } from '../runner/child-process';
import { SpareRunner, launchRunner, type RunHandle, type RunResult } from '../runner/launch';
import { limitNotes, reportLines, runOrder, stopLabel, type Capture } from './capture-points';
import { capturePointsFor } from './capture-points-editor';
import { pythonFor } from './python-interpreter';
import { withRunProgress } from './run-progress';
import { cellDocumentUri, cellsToRun, isNotebookFile } from './notebook/editor';
import { errorDiagnostics } from './run-errors';
import { noticeMessage, runOutcome, type RunOutcome } from './run-outcome';
import { launchOptions, parseSettings, type GradlensSettings, type RunPlace } from './settings';
import { ensureTrusted } from './trust';
import { warmGraphRead } from './warm-graph-read';

export interface FileRun {
  /** Counts the runs of this window from 1; a higher number replaced (cancelled) a lower one. */
  readonly number: number;
  readonly file: string;
  readonly snapshots: readonly GraphSnapshot[];
  /** The graphs of its capture points (breakpoints of .py files), in run order. */
  readonly stops: readonly GraphSnapshot[];
  readonly result: RunResult;
  readonly outcome: RunOutcome;
}

/**
 * What a run is for: the whole script, up to one backward() call (in a notebook: of `cell`),
 * one backward() captured in full, or a notebook's cells up to `cell` (0-based).
 */
export type RunTarget =
  | { readonly kind: 'script' }
  | { readonly kind: 'stopAfterLine'; readonly line: number; readonly cell?: number }
  | { readonly kind: 'captureAt'; readonly backward: number }
  | { readonly kind: 'cell'; readonly cell: number };

export interface RunServiceDeps {
  readonly output: vscode.OutputChannel;
  readonly showGraph: (payload: GraphPayload) => void;
  /**
   * A run is about to start: after the trust and file checks, before any await (saving, the
   * interpreter). True when the view shows the run with a Stop of its own.
   */
  readonly running: (file: string) => boolean;
  /** Every launch and each of its messages, for the training monitor. */
  readonly started: (script: string, handle: RunHandle) => void;
  readonly message: (handle: RunHandle, message: ChildMessage) => void;
  /** Where the Node runner keeps bundles of unchanged scripts between runs (the extension's storage). */
  readonly bundleCache?: string;
}

/** What the picker says of a light capture (the graph view offers the full one). */
const LIGHT_DETAIL =
  ' · light capture: structure, leaves and their .grad only, no values or gradients of intermediate results (the view offers a full capture)';

export function readSettings() {
  const c = vscode.workspace.getConfiguration('gradlens');
  return parseSettings((k) => c.get(k));
}

/** The latest the runner for the next run starts after a run, when no paint of its graph is reported. */
const RENEW_LATEST_MS = 3000;

export class RunService implements vscode.Disposable {
  private readonly runs = new Map<string, FileRun>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the file whose last run changed. */
  readonly onDidChangeRun = this.changed.event;
  readonly diagnostics = vscode.languages.createDiagnosticCollection('gradlens');
  /** The run the graph view shows, for the backward() picker. */
  private shown: FileRun | null = null;
  private active: { readonly file: string; readonly handle: RunHandle } | null = null;
  private started = 0;
  /** A runner child started after each run, so that the next run does not wait for one. */
  private spare: SpareRunner | null = null;
  /** Starts that runner (see renewAfterPaint), while it waits for the view's paint. */
  private pendingRenewal: (() => void) | null = null;
  private disposed = false;
  /** Whether this window's read of a graph was warmed (see warm-graph-read.ts). */
  private readWarmed = false;

  constructor(private readonly deps: RunServiceDeps) {}

  /** How many runs this window has started. */
  get runsStarted(): number {
    return this.started;
  }

  /** Whether a newer run started after `run` (and so cancelled it). */
  replaced(run: FileRun): boolean {
    return run.number !== this.started;
  }

  lastRun(file: string): FileRun | undefined {
    return this.runs.get(file);
  }

  /** The capture-point graphs taken in `file` by the last run of each script. */
  stopsIn(file: string): GraphSnapshot[] {
    return [...this.runs.values()].flatMap((r) =>
      r.stops.filter((s) => s.stop !== undefined && samePath(s.stop.file, file)),
    );
  }

  /** Runs `uri`'s script for `target` (with `args`, default the setting's) and returns its run, or null when refused. */
  async run(
    uri: vscode.Uri,
    target: RunTarget = { kind: 'script' },
    args?: readonly string[],
  ): Promise<FileRun | null> {
    const askedAt = Date.now();
    if (!ensureTrusted()) return null;
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('Gradlens: only scripts saved on disk can be run.');
      return null;
    }
    const file = uri.fsPath;
    this.active?.handle.cancel();
    const number = ++this.started;
    // Before anything is awaited: code-server builds the view's page while the script runs.
    const viewShowsRun = this.deps.running(file);
    // The runner reads the file from disk: run what the user sees.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open?.isDirty) await open.save();
    const settings = readSettings();
    const upTo =
      target.kind === 'cell' || target.kind === 'stopAfterLine' ? target.cell : undefined;
    const stopAfter =
      target.kind === 'stopAfterLine'
        ? { file, line: target.line, ...(upTo === undefined ? {} : { cell: upTo }) }
        : undefined;
    const captureAt = target.kind === 'captureAt' ? target.backward : undefined;
    // A notebook open in an editor runs as the user sees it, unsaved cells included.
    const cells = isNotebookFile(file) ? cellsToRun(uri, upTo) : undefined;
    const out = this.deps.output;
    const name = path.basename(file);
    const place = await this.placeOf(uri, settings, args);
    out.appendLine(
      `[gradlens] running ${file}${upTo !== undefined ? ` up to cell ${upTo + 1}` : ''}${stopAfter ? ` until the backward() on ${lineWhere(stopAfter)}` : ''}${captureAt ? ` to capture backward() #${captureAt} in full` : ''}`,
    );
    out.appendLine(
      `[gradlens] in ${place.cwd}${place.args?.length ? `, arguments ${JSON.stringify(place.args)}` : ''}`,
    );
    this.clearDiagnostics(uri);
    const capturePoints =
      languageOf(file) === 'python'
        ? capturePointsFor(file, settings.capturePointsMaxHits, out)
        : undefined;

    const launchedAt = Date.now();
    let graphAt: number | undefined;
    const result = await withRunProgress(
      viewShowsRun ? null : `Gradlens: running ${name}`,
      async (progress, token) => {
        const spare = this.spare ?? undefined;
        this.spare = null;
        out.appendLine(
          `[gradlens] ${runnerState(spare)}; launched ${seconds(Date.now() - askedAt)} s after the run was asked for`,
        );
        const handle = launchRunner(
          {
            ...launchOptions(file, settings, place, stopAfter, captureAt),
            capturePoints,
            spare,
            cells,
            bundleCache: this.deps.bundleCache,
          },
          {
            onMessage: (message) => {
              this.deps.message(handle, message);
              if (message.type !== 'graph/snapshot') return;
              graphAt ??= Date.now();
              const { stop, index } = message.snapshot;
              progress.report({
                message: `captured ${stop ? stopLabel(stop) : `backward() #${index}`}`,
              });
            },
            onStdout: (t) => out.append(t),
            onStderr: (t) => out.append(t),
          },
        );
        this.deps.started(file, handle);
        const active = { file, handle };
        this.active = active;
        const sub = token.onCancellationRequested(() => handle.cancel());
        try {
          return await handle.done;
        } finally {
          sub.dispose();
          if (this.active === active) this.active = null;
          // The next runner loads (and warms its capture path) once the view has painted this
          // run's graph: started at once, it took the CPU from the page's read and layout.
          this.renewAfterPaint(() => {
            this.renewSpare(file, place.python, settings.memoryLimitMb);
          });
        }
      },
    );

    const outcome = runOutcome(result, name);
    const sinceEnd = Date.now() - result.endedAt;
    out.appendLine(
      `[gradlens] ${outcome.kind === 'stopped' ? 'stopped by the user' : outcome.kind} after ${(result.durationMs / 1000).toFixed(2)} s, ${result.snapshots.length} graph(s) captured${graphAt === undefined ? '' : ` (the first ${seconds(graphAt - launchedAt)} s after the launch)`}; ${sinceEnd} ms since its end${capturePoints ? `, ${result.stops.length} at breakpoints` : ''}`,
    );
    if (capturePoints)
      for (const line of reportLines(result.capturePoints, capturePoints.maxHits))
        out.appendLine(line);
    for (const e of result.errors)
      out.appendLine(`[gradlens] ${e.kind}: ${e.message}${e.stack ? `\n${e.stack}` : ''}`);
    for (const n of result.notices) out.appendLine(`[gradlens] note: ${n.message}`);
    this.report(result, outcome, name);
    const run: FileRun = {
      number,
      file,
      snapshots: result.snapshots,
      stops: result.stops,
      result,
      outcome,
    };
    if (result.snapshots.length > 0 || result.stops.length > 0) {
      this.runs.set(file, run);
      this.changed.fire(file);
    }
    return run;
  }

  /** The working directory, interpreter and arguments of a run of `uri`. */
  private async placeOf(
    uri: vscode.Uri,
    settings: GradlensSettings,
    args: readonly string[] | undefined,
  ): Promise<RunPlace> {
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
    // A notebook's cells run in its folder, as a Jupyter kernel runs them.
    const cwd =
      settings.runDirectory === 'workspace' && folder !== undefined && !isNotebookFile(uri.fsPath)
        ? folder
        : path.dirname(uri.fsPath);
    if (languageOf(uri.fsPath) !== 'python') return { cwd, args: args ?? settings.scriptArgs };
    const choice = await pythonFor(uri, settings.pythonPath);
    this.deps.output.appendLine(
      `[gradlens] python: ${choice.python} (from ${choice.source === 'setting' ? 'the setting gradlens.python.path' : choice.source === 'python extension' ? 'the Python extension' : 'PATH'})`,
    );
    return { cwd, python: choice.python, args: args ?? settings.scriptArgs };
  }

  /**
   * Starts a runner for a script the user may run next (the one in the active editor), so
   * that the window's first run does not wait for the interpreter and the engine to load.
   * Only in a trusted workspace (the interpreter can come from its settings), only with no
   * runner waiting or running; the child runs nothing until a run hands it a script.
   */
  async prepare(uri: vscode.Uri): Promise<void> {
    if (!vscode.workspace.isTrusted || uri.scheme !== 'file' || this.busy()) return;
    if (!/\.(py|ts|mts|cts|js|mjs|cjs)$/i.test(uri.fsPath)) return;
    const settings = readSettings();
    const python =
      languageOf(uri.fsPath) === 'python'
        ? (await pythonFor(uri, settings.pythonPath)).python
        : undefined;
    // A run or another editor's runner may have started meanwhile.
    if (this.busy()) return;
    this.spare = new SpareRunner({
      script: uri.fsPath,
      python,
      maxMemoryMb: settings.memoryLimitMb,
      bundleCache: this.deps.bundleCache,
    });
    // The first graph is read by code that never ran: warm it while the runner waits, unless a
    // run has begun (it would take the CPU that run needs).
    if (!this.readWarmed) {
      this.readWarmed = true;
      void warmGraphRead(() => this.disposed || this.started > 0);
    }
  }

  /** Stops the run going on if it is of `file` (a view's Stop may come after that run ended). */
  stop(file: string): void {
    if (this.active !== null && samePath(this.active.file, file)) this.active.handle.cancel();
  }

  /** Whether a runner is waiting or running already, or the service is gone. */
  private busy(): boolean {
    return this.spare !== null || this.active !== null || this.disposed;
  }

  /** The view painted a graph: the runner for the next run may start now. */
  graphPainted(): void {
    this.pendingRenewal?.();
  }

  /**
   * Starts the runner for the next run once the view reports a paint, or RENEW_LATEST_MS after
   * the run (no graph to show, or no view to show it), unless a run or a runner came meanwhile.
   */
  private renewAfterPaint(renew: () => void): void {
    const start = (): void => {
      clearTimeout(timer);
      if (this.pendingRenewal !== start) return;
      this.pendingRenewal = null;
      if (!this.disposed && this.active === null && this.spare === null) renew();
    };
    const timer = setTimeout(start, RENEW_LATEST_MS);
    this.pendingRenewal = start;
  }

  /** A runner for the next run, of the language of the last one (it loads while the user reads the graph). */
  private renewSpare(script: string, python: string | undefined, maxMemoryMb: number): void {
    this.spare?.dispose();
    this.spare = new SpareRunner({
      script,
      python,
      maxMemoryMb,
      bundleCache: this.deps.bundleCache,
    });
  }

  private report(result: RunResult, outcome: RunOutcome, name: string): void {
    if (outcome.kind === 'stopped') {
      // One calm message whether Stop (monitor) or Cancel (notification) ended it.
      void vscode.window.showInformationMessage(outcome.message);
      return;
    }
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of errorDiagnostics(result.errors)) {
      const diag = new vscode.Diagnostic(
        new vscode.Range(d.line, d.column, d.line, Number.MAX_SAFE_INTEGER),
        d.message,
        vscode.DiagnosticSeverity.Error,
      );
      diag.source = 'gradlens';
      // A notebook's error goes on its cell's document, at the cell's line.
      const on =
        (d.cell === undefined ? undefined : cellDocumentUri(d.file, d.cell)) ??
        vscode.Uri.file(d.file);
      byFile.set(on.toString(), [...(byFile.get(on.toString()) ?? []), diag]);
    }
    for (const [u, list] of byFile) this.diagnostics.set(vscode.Uri.parse(u), list);
    const showOutput = (c: string | undefined): void => {
      if (c === 'Show Output') this.deps.output.show(true);
    };
    if (outcome.kind === 'failed') {
      void vscode.window.showErrorMessage(outcome.message, 'Show Output').then(showOutput);
      return;
    }
    // The run went on: a warning, not a failure (a failed run's notes are in the Output).
    const notice = noticeMessage(result.notices, name);
    if (notice !== null)
      void vscode.window.showWarningMessage(notice, 'Show Output').then(showOutput);
  }

  /** Clears the diagnostics of the last run of `uri`, and of its cells for a notebook. */
  private clearDiagnostics(uri: vscode.Uri): void {
    const cells: vscode.Uri[] = [];
    this.diagnostics.forEach((u) => {
      if (u.scheme === 'vscode-notebook-cell' && u.path === uri.path) cells.push(u);
    });
    for (const u of [uri, ...cells]) this.diagnostics.delete(u);
  }

  /** Shows snapshot `index` (default: the last) of a run in the graph view. */
  show(run: FileRun, index = run.snapshots.length - 1, requestedAt?: number): void {
    if (index < 0 || index >= run.snapshots.length) return;
    if (requestedAt !== undefined && run.result.endedAt > requestedAt)
      this.deps.output.appendLine(
        `[gradlens] showing ${path.basename(run.file)}'s graph ${Date.now() - run.result.endedAt} ms after its run ended`,
      );
    const snap = run.snapshots[index];
    this.shown = run;
    const out = snap.nodes.find((n) => snap.outputs.includes(n.id))?.location;
    this.deps.showGraph({
      title: `${path.basename(run.file)}: backward() #${snap.index}${out ? ` (${lineWhere(out)})` : ''}`,
      file: run.file,
      ...this.placeIn(run, { kind: 'backward', at: index }),
      source: { kind: 'run', backward: snap.index },
      ...(run.result.notices.length > 0 ? { notes: run.result.notices.map((n) => n.message) } : {}),
      snapshot: snap,
      requestedAt,
    });
  }

  /** Shows the graph of a run's capture-point stop `at` (0-based, in run order). */
  showStop(run: FileRun, at: number, requestedAt?: number): void {
    const snap = run.stops.at(at);
    if (snap?.stop === undefined) return;
    this.shown = run;
    const { file, line, hit } = snap.stop;
    this.deps.showGraph({
      title: `${path.basename(run.file)}: breakpoint at ${samePath(file, run.file) ? `line ${line}` : `${path.basename(file)}:${line}`} (hit ${hit})`,
      file: run.file,
      ...this.placeIn(run, { kind: 'stop', at }),
      source: { kind: 'stop', file, line, hit },
      snapshot: snap,
      requestedAt,
    });
  }

  /** Where a graph stands among its run's graphs, for the view's picker button. */
  private placeIn(run: FileRun, c: Capture): { index: number; count: number; pickLabel?: string } {
    if (run.stops.length === 0) return { index: c.at, count: run.snapshots.length };
    const order = runOrder(run.snapshots, run.stops);
    const index = order.findIndex((o) => o.kind === c.kind && o.at === c.at);
    return { index, count: order.length, pickLabel: `graph ${index + 1} of ${order.length} …` };
  }

  /** Lets the user choose among the shown run's graphs: its backward() calls and breakpoint stops. */
  async pick(): Promise<void> {
    const run = this.shown ?? [...this.runs.values()].pop();
    if (run === undefined || run.snapshots.length + run.stops.length === 0) {
      void vscode.window.showInformationMessage(
        'Gradlens: no captured graphs yet. Run Gradlens: Visualize Graph first.',
      );
      return;
    }
    const limits = limitNotes(run.stops, run.result.capturePoints);
    const items = runOrder(run.snapshots, run.stops).map((c) => {
      const s = c.kind === 'backward' ? run.snapshots[c.at] : run.stops[c.at];
      const fns = s.nodes.filter((n) => n.kind === 'function').length;
      if (s.stop !== undefined)
        return {
          label: stopLabel(s.stop),
          description: limits.get(c.at) ?? 'breakpoint',
          detail: `${s.stop.scope.length} tensors in scope, ${fns} function nodes`,
          c,
        };
      const out = s.nodes.find((n) => s.outputs.includes(n.id));
      return {
        label: `backward() #${s.index}`,
        description: out?.location ? lineWhere(out.location) : '',
        detail: `${fns} function nodes${s.detail === 'light' ? LIGHT_DETAIL : ''}`,
        c,
      };
    });
    const choice = await vscode.window.showQuickPick(items, {
      title: `Captured ${run.stops.length > 0 ? 'graphs' : 'backward() calls'} of ${path.basename(run.file)}`,
    });
    if (choice === undefined) return;
    if (choice.c.kind === 'stop') this.showStop(run, choice.c.at, Date.now());
    else this.show(run, choice.c.at, Date.now());
  }

  dispose(): void {
    this.disposed = true;
    this.active?.handle.cancel();
    this.spare?.dispose();
    this.changed.dispose();
    this.diagnostics.dispose();
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

/**
 * What the run starts in: a spare runner and whether it had loaded (its hello) by then, or a
 * new child. Says where a window's first run spends its time.
 */
function runnerState(spare: SpareRunner | undefined): string {
  if (spare === undefined || spare.pid === null) return 'runner: none waiting, a new one starts';
  const now = Date.now();
  const started = `started ${seconds(now - spare.startedAt)} s ago`;
  return spare.helloAt === null
    ? `runner: the spare one ${started} is still loading`
    : `runner: the spare one ${started} was ready ${seconds(now - spare.helloAt)} s ago`;
}
