// Wiring only: every provider, command and resource is created here and disposed with the
// extension. The logic lives in the modules imported below.
import * as vscode from 'vscode';
import { paintedLine } from '../protocol/paint-report';
import { registerDebugCapture } from './debug/index';
import { registerEditorFeatures } from './editor-features';
import { registerNotebookCells } from './notebook';
import { registerRendererMessaging } from './notebook/renderer-messaging';
import { cellInSight } from './notebook/editor';
import { GraphPanel } from './graph-panel';
import { runGradcheck } from './gradcheck';
import { registerTrainingMonitor, type MonitorRunEvent } from './monitor';
import { registerOnboarding } from './onboarding';
import { registerRunStatus } from './run-status';
import { RunService, readSettings } from './runs';
import { joinArguments, splitArguments } from './script-args';
import { scriptInSight } from './script-target';
import { snapshotAtLine } from './snapshot-lookup';
import { ensureTrusted } from './trust';
import { Visualizer } from './visualize';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Gradlens');
  const panel = new GraphPanel(context.extensionUri, {
    pickBackward: () => void vscode.commands.executeCommand('gradlens.pickBackward'),
    showOutput: () => output.show(true),
    rerun: (file) => void visualizer.rerun(vscode.Uri.file(file)),
    stopRun: (file) => runs.stop(file),
    captureFull: (file, backward) =>
      void visualizer.run(vscode.Uri.file(file), { kind: 'captureAt', backward }),
    gradcheck: (shown, node) => runGradcheck(shown, node, output),
    log: (line) => output.appendLine(line),
    painted: (m) => {
      output.appendLine(`[gradlens] ${paintedLine(m)}`);
      runs.graphPainted();
    },
  });
  // Runs fire { type: 'start', script, handle } after launchRunner and { type: 'message', handle, message } from its onMessage.
  const monitorEvents = new vscode.EventEmitter<MonitorRunEvent>();
  const runs = new RunService({
    output,
    showGraph: (p) => panel.show(p),
    running: (file) => panel.showRunning(file),
    started: (script, handle) => monitorEvents.fire({ type: 'start', script, handle }),
    message: (handle, message) => monitorEvents.fire({ type: 'message', handle, message }),
    bundleCache: vscode.Uri.joinPath(context.globalStorageUri, 'bundles').fsPath,
  });
  // A runner starts loading as soon as a script is in sight, so the first run need not wait for it.
  const prepareRunner = (): void => {
    const uri = vscode.window.activeTextEditor?.document.uri;
    if (uri !== undefined) void runs.prepare(uri);
  };
  prepareRunner();

  const visualizer = new Visualizer(runs, panel);
  /** What "Visualize Graph with Arguments…" was last given for each script, to prefill the prompt. */
  const lastArgs = new Map<string, string[]>();

  const target = (uri?: vscode.Uri): vscode.Uri | undefined => {
    const u = uri instanceof vscode.Uri ? uri : scriptInSight();
    if (u === undefined)
      void vscode.window.showErrorMessage(
        'Gradlens: open a Python, TypeScript or JavaScript script first.',
      );
    return u;
  };

  context.subscriptions.push(
    output,
    panel,
    runs,
    vscode.commands.registerCommand('gradlens.visualize', async (uri?: vscode.Uri) => {
      const cell = uri === undefined ? cellInSight() : undefined;
      if (cell !== undefined)
        return visualizer.run(cell.notebook, { kind: 'cell', cell: cell.index });
      const u = target(uri);
      if (u !== undefined) await visualizer.run(u);
    }),
    vscode.commands.registerCommand('gradlens.visualizeWithArgs', async (uri?: vscode.Uri) => {
      const u = target(uri);
      if (u === undefined) return;
      const line = await vscode.window.showInputBox({
        title: 'Gradlens: arguments for this run',
        prompt: `Passed to ${u.path.split('/').pop()} as on a command line`,
        value: joinArguments(lastArgs.get(u.fsPath) ?? readSettings().scriptArgs),
        placeHolder: '--epochs 1 --batch-size 8',
      });
      if (line === undefined) return;
      const args = splitArguments(line);
      lastArgs.set(u.fsPath, args);
      await visualizer.run(u, { kind: 'script' }, args);
    }),
    vscode.commands.registerCommand(
      'gradlens.runBackward',
      async (uri?: vscode.Uri, line?: number) => {
        const u = target(uri);
        if (u !== undefined && typeof line === 'number')
          await visualizer.run(u, { kind: 'stopAfterLine', line });
      },
    ),
    vscode.commands.registerCommand(
      'gradlens.visualizeAt',
      async (uri?: vscode.Uri, line?: number) => {
        const u = target(uri);
        if (u === undefined || typeof line !== 'number') return;
        // The last run's graph of this call when there is one (no re-run), else run up to it.
        const last = runs.lastRun(u.fsPath);
        const at = last === undefined ? -1 : snapshotAtLine(last.snapshots, u.fsPath, line);
        if (last !== undefined && at >= 0) runs.show(last, at, Date.now());
        else await visualizer.run(u, { kind: 'stopAfterLine', line });
      },
    ),
    vscode.commands.registerCommand('gradlens.pickBackward', () => runs.pick()),
    vscode.commands.registerCommand('gradlens.showOutput', () => output.show(true)),
    vscode.window.onDidChangeActiveTextEditor(prepareRunner),
    vscode.workspace.onDidGrantWorkspaceTrust(prepareRunner),
    registerEditorFeatures(runs),
    registerNotebookCells(visualizer),
    registerRendererMessaging(),
    registerDebugCapture(context, {
      showGraph: (p) => panel.show(p),
      log: (line) => output.appendLine(line),
      ensureTrusted,
    }),
  );
  context.subscriptions.push(
    monitorEvents,
    registerTrainingMonitor(context, monitorEvents.event),
    registerRunStatus(monitorEvents.event),
  );
  context.subscriptions.push(registerOnboarding(context));
}

export function deactivate(): void {}
