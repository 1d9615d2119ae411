// Wiring only: every provider, command and resource is created here and disposed with the
// extension. The logic lives in the modules imported below.
import * as vscode from 'vscode';
import { registerDebugCapture } from './debug/index';
import { GraphPanel } from './graph-panel';
import { registerTrainingMonitor, type MonitorRunEvent } from './monitor';
import { ensureTrusted } from './trust';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Gradlens');
  const panel = new GraphPanel(context.extensionUri, {
    pickBackward: () => void vscode.commands.executeCommand('gradlens.pickBackward'),
    log: (line) => output.appendLine(line),
  });
  context.subscriptions.push(
    output,
    panel,
    vscode.commands.registerCommand('gradlens.visualize', (uri?: vscode.Uri) => {
      if (!ensureTrusted()) return;
      const file = uri?.fsPath ?? vscode.window.activeTextEditor?.document.uri.fsPath;
      if (file === undefined) return;
      panel.show({ title: file, file, index: 0, count: 0, snapshot: null });
    }),
    vscode.commands.registerCommand('gradlens.showOutput', () => output.show(true)),
    registerDebugCapture(context, { showGraph: (p) => panel.show(p), log: (line) => output.appendLine(line), ensureTrusted }),
  );
  // Fire { type: 'start', script, handle } after launchRunner and { type: 'message', handle, message } from its onMessage.
  const monitorEvents = new vscode.EventEmitter<MonitorRunEvent>();
  context.subscriptions.push(monitorEvents, registerTrainingMonitor(context, monitorEvents.event));
}

export function deactivate(): void {}
