// Training monitor, host side: a WebviewView in its own activity-bar container that shows the
// runner's training record live (loss, gradient norm per parameter, learning rate, steps per
// second), pauses, resumes and stops the running script, overlays earlier runs of the same
// script, and exports CSV and PNG.
//
// WIRING (extension.ts), three lines:
//
//   import { registerTrainingMonitor, type MonitorRunEvent } from './monitor';
//   const monitorEvents = new vscode.EventEmitter<MonitorRunEvent>();
//   context.subscriptions.push(monitorEvents, registerTrainingMonitor(context, monitorEvents.event));
//
// and wherever a script is launched:
//
//   const handle = launchRunner(options, {
//     onMessage: (message) => { monitorEvents.fire({ type: 'message', handle, message }); ... },
//     onStdout: ..., onStderr: ...,
//   });
//   monitorEvents.fire({ type: 'start', script: absoluteScriptPath, handle });
//
// (`handle` is used before launchRunner returns only inside callbacks, which the child cannot
// trigger synchronously, so the order above is safe.) The run ends when `handle.done` settles;
// nothing else needs to be sent. Forwarding `run/stdout`/`run/stderr` is allowed and ignored.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assertNever, type RunnerMessage } from '../../protocol/messages';
import type { RunResult } from '../../runner/launch';
import {
  isFromMonitor,
  type FromMonitor,
  type RunStatus,
  type ToMonitor,
} from '../../protocol/monitor';
import { RunControl, type StoppableRun } from './control';
import { toCsv } from './csv';
import { webviewHtml } from '../webview-html';
import { RunHistory } from './history';
import { LiveFeed, type FedRun } from './live-feed';
import { strideNote } from '../../protocol/stride-note';

/** The view's id (package.json `contributes.views`). */
export const MONITOR_VIEW_ID = 'gradlens.monitor';

/** What the extension tells the monitor about its runs. */
export type MonitorRunEvent =
  /** A script was launched; `handle` is launchRunner's RunHandle (its `done` ends the run). */
  | {
      readonly type: 'start';
      readonly script: string;
      readonly handle: Omit<StoppableRun, 'done'> & { readonly done: Promise<RunResult> };
    }
  /** A message of that run, as launchRunner's onMessage (or the host's RunnerMessage stream) gave it. */
  | { readonly type: 'message'; readonly handle: StoppableRun; readonly message: RunnerMessage };

/** Shown from the request until the script stops: a loop without tensor ops never does. */
const PAUSING = "pausing at the script's next tensor op…";

/**
 * Registers the monitor view and starts listening to `runEvents`.
 *
 * @example
 * const events = new vscode.EventEmitter<MonitorRunEvent>();
 * context.subscriptions.push(events, registerTrainingMonitor(context, events.event));
 */
export function registerTrainingMonitor(
  context: vscode.ExtensionContext,
  runEvents: vscode.Event<MonitorRunEvent>,
): vscode.Disposable {
  const storage = context.storageUri ?? context.globalStorageUri;
  const monitor = new TrainingMonitor(
    context.extensionUri,
    new RunHistory(path.join(storage.fsPath, 'training-runs')),
  );
  return vscode.Disposable.from(
    monitor,
    vscode.window.registerWebviewViewProvider(MONITOR_VIEW_ID, monitor),
    runEvents((e) => monitor.onRunEvent(e)),
  );
}

type RunStart = Extract<MonitorRunEvent, { type: 'start' }>;

interface Live extends FedRun {
  readonly handle: RunStart['handle'];
  readonly control: RunControl;
  stopRequested: boolean;
}

class TrainingMonitor implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private live: Live | null = null;
  private readonly feed: LiveFeed;
  private readonly viewSubs: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly history: RunHistory,
  ) {
    this.feed = new LiveFeed(
      history,
      (m) => {
        this.post(m);
      },
      () => this.ready && this.view !== undefined,
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    for (const d of this.viewSubs.splice(0)) d.dispose();
    this.view = view;
    this.ready = false;
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'),
        vscode.Uri.joinPath(this.extensionUri, 'media'),
      ],
    };
    const asUri = (...p: string[]): string =>
      view.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...p)).toString();
    view.webview.html = webviewHtml('monitor', {
      cspSource: view.webview.cspSource,
      script: { uri: asUri('dist', 'webview', 'monitor.js') },
      style: { uri: asUri('media', 'monitor.css') },
    });
    this.viewSubs.push(
      view.webview.onDidReceiveMessage((m: unknown) => {
        if (isFromMonitor(m)) void this.onPageMessage(m);
      }),
      // Hidden without retainContextWhenHidden, the page is torn down; it says 'ready' again
      // when it is back, and gets a replay then.
      view.onDidChangeVisibility(() => {
        if (!view.visible) this.ready = false;
      }),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.ready = false;
        }
      }),
    );
  }

  onRunEvent(e: MonitorRunEvent): void {
    switch (e.type) {
      case 'start':
        this.startRun(e.script, e.handle);
        return;
      case 'message':
        this.onRunnerMessage(e.handle, e.message);
        return;
      default:
        assertNever(e);
    }
  }

  private startRun(script: string, handle: RunStart['handle']): void {
    const run = this.history.start(script);
    const live: Live = {
      id: run.meta.id,
      handle,
      control: new RunControl(handle),
      stopRequested: false,
      stride: 1,
      width: 1,
    };
    this.live = live;
    this.feed.start(live);
    handle.done.then(
      (result) => this.endRun(live, result),
      (e: unknown) => this.endRun(live, null, String(e)),
    );
  }

  private onRunnerMessage(handle: StoppableRun, m: RunnerMessage): void {
    const live = this.live;
    if (live === null || live.handle !== handle) return;
    switch (m.type) {
      case 'hello':
        live.control.setPid(m.pid);
        this.history.setPid(live.id, m.pid);
        this.post({
          type: 'monitor/status',
          runId: live.id,
          status: 'running',
          message: null,
          pid: m.pid,
        });
        return;
      case 'train/metrics':
        this.feed.metrics(live, m.metrics, m.stride);
        return;
      case 'run/paused':
        // The request was taken: the script now waits at a tensor op.
        this.post({
          type: 'monitor/status',
          runId: live.id,
          status: 'paused',
          message: null,
          pid: this.history.record(live.id)?.meta.pid ?? null,
        });
        return;
      case 'graph/snapshot':
      case 'run/error':
      case 'run/notice':
      case 'run/done':
      case 'run/resumed':
      case 'run/stdout':
      case 'run/stderr':
        return;
      default:
        assertNever(m, 'monitor message');
    }
  }

  private endRun(live: Live, result: RunResult | null, failure?: string): void {
    if (this.live !== live) return;
    this.feed.end(live);
    let status: RunStatus;
    let message: string | null;
    if (live.stopRequested || result?.cancelled === true) {
      status = 'stopped';
      message = 'stopped';
    } else if (result?.ok === true) {
      status = 'done';
      message = strideNote(live.stride, live.width);
    } else {
      status = 'failed';
      message = failure ?? result?.errors.map((e) => e.message).join('; ') ?? 'the run failed';
    }
    this.history.finish(live.id, status, message);
    this.live = null;
    this.post({ type: 'monitor/status', runId: live.id, status, message, pid: null });
  }

  private async onPageMessage(m: FromMonitor): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.feed.replay();
        return;
      case 'control':
        this.control(m.runId, m.action);
        return;
      case 'exportCsv': {
        const r = this.history.record(m.runId);
        if (r === null)
          return void vscode.window.showWarningMessage(
            'Gradlens: that run is no longer in the history.',
          );
        await save(
          `${baseName(r.meta.script)}-training.csv`,
          { CSV: ['csv'] },
          Buffer.from(toCsv(r.columns), 'utf8'),
        );
        return;
      }
      case 'exportPng': {
        const script = this.history.latest()?.meta.script ?? 'training';
        await save(
          `${baseName(script)}-training.png`,
          { 'PNG image': ['png'] },
          Buffer.from(m.dataUrl.slice(m.dataUrl.indexOf(',') + 1), 'base64'),
        );
        return;
      }
      case 'error':
        console.error(`Gradlens training monitor: ${m.message}`);
        return;
      default:
        assertNever(m);
    }
  }

  private control(runId: string, action: 'pause' | 'resume' | 'stop'): void {
    const live = this.live;
    if (live === null || live.id !== runId) return;
    let status: RunStatus | null = null;
    let message: string | null = null;
    if (action === 'pause') {
      if (live.control.pause()) {
        status = 'paused';
        message = PAUSING;
      } else message = 'the script cannot be paused yet (it has not started)';
    } else if (action === 'resume') {
      if (live.control.resume()) status = 'running';
    } else {
      live.stopRequested = true;
      live.control.stop();
      return; // endRun reports 'stopped' once the process is gone.
    }
    if (status !== null) this.history.setStatus(live.id, status);
    this.post({
      type: 'monitor/status',
      runId,
      status: status ?? (live.control.status === 'paused' ? 'paused' : 'running'),
      message,
      pid: this.history.record(runId)?.meta.pid ?? null,
    });
  }

  private post(m: ToMonitor): void {
    if (this.view === undefined || !this.ready) return;
    void this.view.webview.postMessage(m);
  }

  dispose(): void {
    this.feed.dispose();
    for (const d of this.viewSubs) d.dispose();
    // A paused child would otherwise stay frozen after the extension goes away.
    this.live?.control.resume();
  }
}

function baseName(script: string): string {
  return path.basename(script).replace(/\.[^.]+$/, '');
}

async function save(
  fileName: string,
  filters: Record<string, string[]>,
  bytes: Uint8Array,
): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const defaultUri = folder ? vscode.Uri.joinPath(folder, fileName) : undefined;
  const target = await vscode.window.showSaveDialog({ defaultUri, filters });
  if (target === undefined) return;
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(
    `Gradlens: saved ${vscode.workspace.asRelativePath(target)}`,
  );
}
