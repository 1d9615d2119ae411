// Breakpoint capture: "Gradlens: Debug Script" (command and CodeLens) runs the script under
// VS Code's JavaScript debugger, or a .py file under debugpy; at every stop the graph view,
// inline values and hovers show the tensors in scope. One wiring function for extension.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GraphPayload } from '../../protocol/graph-view';
import { languageOf } from '../../runner/child-process';
import { importsTorch } from '../python-source';
import { ModuleScopeOrder } from './bundler-helpers';
import { BUNDLE_DIR_KEY, GRADLENS_FLAG, debugConfiguration, importsGradlens } from './config';
import { registerDebugProviders } from './providers';
import { DEBUGPY_TYPE, OWN_ADAPTER_TYPE } from './python-config';
import { debugPythonScript, registerOwnAdapter } from './python-launch';
import { DebugStops, isGradlensSession } from './stops';

export const DEBUG_COMMAND = 'gradlens.debugScript';

export interface DebugCaptureDeps {
  /** Shows a graph in the graph view (creating the panel when needed). */
  showGraph(payload: GraphPayload): void;
  log(line: string): void;
  /** False stops the command (the extension's workspace-trust check). */
  ensureTrusted(): boolean;
}

const SCRIPT_FILES: vscode.DocumentSelector = [
  { language: 'typescript', scheme: 'file' },
  { language: 'javascript', scheme: 'file' },
  { language: 'python', scheme: 'file' },
];

/** Registers the debug command, its CodeLens and the stop handling; dispose to undo all of it. */
export function registerDebugCapture(
  context: vscode.ExtensionContext,
  deps: DebugCaptureDeps,
): vscode.Disposable {
  const stops = new DebugStops(deps);
  let providers: vscode.Disposable | null = null;
  const live = new Set<string>();

  const debugScript = async (uri?: vscode.Uri): Promise<boolean> => {
    if (!deps.ensureTrusted()) return false;
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (target === undefined || target.scheme !== 'file') {
      void vscode.window.showErrorMessage(
        'Gradlens: open a Python, TypeScript or JavaScript script to debug it.',
      );
      return false;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    if (doc?.isDirty) await doc.save();
    const folder = vscode.workspace.getWorkspaceFolder(target);
    if (languageOf(target.fsPath) === 'python')
      return debugPythonScript(target, folder, (line) => {
        deps.log(line);
      });
    const bundleDir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-debug-'));
    const config = debugConfiguration({
      script: target.fsPath,
      cwd: folder?.uri.fsPath ?? path.dirname(target.fsPath),
      extensionPath: context.extensionPath,
      bundleDir,
    });
    const ok = await vscode.debug.startDebugging(folder, config);
    if (!ok) rmSync(bundleDir, { recursive: true, force: true });
    return ok;
  };

  const lenses: vscode.CodeLensProvider = {
    provideCodeLenses(document) {
      const text = document.getText();
      if (!(document.languageId === 'python' ? importsTorch(text) : importsGradlens(text)))
        return [];
      return [
        new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
          title: '$(debug-alt) Debug',
          command: DEBUG_COMMAND,
          arguments: [document.uri],
          tooltip:
            'Gradlens: debug this script; the graph view and inline values follow every breakpoint',
        }),
      ];
    },
  };

  const tracker: vscode.DebugAdapterTrackerFactory = {
    createDebugAdapterTracker(session) {
      if (!isGradlensSession(session)) return undefined;
      const moduleScope = new ModuleScopeOrder();
      return {
        onWillReceiveMessage: (m: Parameters<ModuleScopeOrder['request']>[0]) =>
          moduleScope.request(m),
        onDidSendMessage(
          m: Parameters<ModuleScopeOrder['sent']>[0] & { body?: { threadId?: number } },
        ) {
          moduleScope.sent(m);
          if (m.type !== 'event') return;
          if (m.event === 'stopped' && m.body?.threadId !== undefined)
            stops.onStopped(session, m.body.threadId);
          else if (m.event === 'continued') stops.onContinued(session);
        },
      };
    },
  };

  const disposables = vscode.Disposable.from(
    stops,
    vscode.commands.registerCommand(DEBUG_COMMAND, debugScript),
    vscode.languages.registerCodeLensProvider(SCRIPT_FILES, lenses),
    vscode.debug.registerDebugAdapterTrackerFactory('pwa-node', tracker),
    vscode.debug.registerDebugAdapterTrackerFactory('node', tracker),
    vscode.debug.registerDebugAdapterTrackerFactory(OWN_ADAPTER_TYPE, tracker),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUGPY_TYPE, tracker),
    registerOwnAdapter(),
    vscode.debug.onDidStartDebugSession((s) => {
      if (!isGradlensSession(s)) return;
      live.add(s.id);
      providers ??= registerDebugProviders(stops, (line) => {
        deps.log(line);
      });
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      if (!live.delete(s.id)) return;
      stops.onEnded(s);
      const dir = (s.configuration as Record<string, unknown>)[BUNDLE_DIR_KEY];
      if (
        typeof dir === 'string' &&
        (s.configuration as Record<string, unknown>)[GRADLENS_FLAG] === true
      )
        rmSync(dir, { recursive: true, force: true });
      if (live.size === 0) {
        providers?.dispose();
        providers = null;
      }
    }),
    vscode.debug.onDidChangeActiveStackItem((item) => {
      if (item instanceof vscode.DebugStackFrame && isGradlensSession(item.session))
        void stops.showFrame(item.session, item.frameId);
    }),
    {
      dispose: () => {
        providers?.dispose();
      },
    },
  );
  return disposables;
}
