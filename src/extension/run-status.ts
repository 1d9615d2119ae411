// The status bar while a script runs, as a notebook kernel shows it: which script, how far it
// got, and a click that stops it. Gone when the run ends.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MonitorRunEvent } from './monitor';

type Handle = Extract<MonitorRunEvent, { type: 'start' }>['handle'];

/**
 * The status bar text for a run of `script` that reached `step` (0: no backward() yet). Its
 * icon stands still: a spinning one kept the browser repainting while the script needed the
 * same cores, and the step count already moves while a training loop runs.
 */
function runStatusText(script: string, step: number): string {
  return `$(pulse) ${path.basename(script)}${step > 0 ? ` · step ${step.toLocaleString('en-US')}` : ''}`;
}

export function registerRunStatus(events: vscode.Event<MonitorRunEvent>): vscode.Disposable {
  const item = vscode.window.createStatusBarItem(
    'gradlens.run',
    vscode.StatusBarAlignment.Left,
    100,
  );
  item.name = 'Gradlens run';
  item.command = 'gradlens.stopRun';
  let current: { handle: Handle; script: string; step: number } | null = null;

  const show = (): void => {
    // The palette offers "Stop the Running Script" only while there is one.
    void vscode.commands.executeCommand('setContext', 'gradlens.running', current !== null);
    if (current === null) {
      item.hide();
      return;
    }
    item.text = runStatusText(current.script, current.step);
    item.tooltip = `Gradlens is running ${current.script}. Click to stop it.`;
    item.show();
  };

  const onEvent = (e: MonitorRunEvent): void => {
    if (e.type === 'start') {
      const run = { handle: e.handle, script: e.script, step: 0 };
      current = run;
      show();
      void e.handle.done.then(() => {
        if (current === run) {
          current = null;
          show();
        }
      });
      return;
    }
    if (current === null || current.handle !== e.handle) return;
    const m = e.message;
    const step =
      m.type === 'train/metrics'
        ? (m.metrics.at(-1)?.step ?? 0)
        : m.type === 'graph/snapshot'
          ? m.snapshot.index
          : 0;
    if (step > current.step) {
      current.step = step;
      show();
    }
  };

  return vscode.Disposable.from(
    item,
    events(onEvent),
    vscode.commands.registerCommand('gradlens.stopRun', () => current?.handle.cancel()),
  );
}
