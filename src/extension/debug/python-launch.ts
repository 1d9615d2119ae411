// Starts "Gradlens: Debug Script" on a .py file: through the Python Debugger extension when it
// is installed, else through debugpy's own adapter run by the script's interpreter (the debug
// type Gradlens contributes), else a message that says how to get debugpy.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { packageRoot } from '../../runner/child-process';
import { pythonFor } from '../python-interpreter';
import { readSettings } from '../runs';
import { probeDebugpy } from './debugpy-probe';
import {
  DEBUGPY_EXTENSION_ID,
  DEBUGPY_TYPE,
  OWN_ADAPTER_TYPE,
  choosePythonDebugger,
  debugpyProblem,
  pythonDebugConfiguration,
} from './python-config';

/** Starts the debug session for `script`; false (after saying why) when none could start. */
export async function debugPythonScript(
  script: vscode.Uri,
  folder: vscode.WorkspaceFolder | undefined,
  log: (line: string) => void,
): Promise<boolean> {
  const settings = readSettings();
  const choice = await pythonFor(script, settings.pythonPath);
  const extensionInstalled = vscode.extensions.getExtension(DEBUGPY_EXTENSION_ID) !== undefined;
  const probe = extensionInstalled ? null : await probeDebugpy(choice.python);
  const debuggerKind = choosePythonDebugger({
    extensionInstalled,
    debugpyImportable: probe === 'importable',
  });
  log(`debug: ${path.basename(script.fsPath)} with ${choice.python} through ${debuggerKind}`);
  if (debuggerKind === 'missing') {
    void vscode.window.showErrorMessage(debugpyProblem(choice, probe ?? 'missing'));
    return false;
  }
  const cwd =
    settings.runDirectory === 'workspace' && folder !== undefined
      ? folder.uri.fsPath
      : path.dirname(script.fsPath);
  const config = pythonDebugConfiguration({
    type: debuggerKind === 'debugpy extension' ? DEBUGPY_TYPE : OWN_ADAPTER_TYPE,
    script: script.fsPath,
    cwd,
    args: settings.scriptArgs,
    python: choice.python,
    packageDir: path.join(packageRoot(), 'python'),
    inheritedPythonPath: process.env.PYTHONPATH,
  });
  return vscode.debug.startDebugging(folder, config);
}

/** debugpy's adapter, run by the interpreter the configuration names. */
export const ownAdapterFactory: vscode.DebugAdapterDescriptorFactory = {
  createDebugAdapterDescriptor(session) {
    const python = (session.configuration as { python?: unknown }).python;
    const command = typeof python === 'string' ? python : 'python3';
    return new vscode.DebugAdapterExecutable(command, ['-m', 'debugpy.adapter']);
  },
};

export function registerOwnAdapter(): vscode.Disposable {
  return vscode.debug.registerDebugAdapterDescriptorFactory(OWN_ADAPTER_TYPE, ownAdapterFactory);
}
