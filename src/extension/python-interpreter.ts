// Which python runs a .py script: the `gradlens.python.path` setting, else the interpreter
// selected in the Python extension (its public environments API) when that extension is
// installed, else `python3` (`python` on Windows) on PATH.
import * as vscode from 'vscode';
import { defaultPython } from '../runner/default-python';

/** The part of the Python extension's API this reads (ms-python.python, 2023 and later). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(
      env: { path: string } | string,
    ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  };
}

export const PYTHON_EXTENSION_ID = 'ms-python.python';

export interface InterpreterChoice {
  readonly python: string;
  /** Where the choice came from, for the Output channel and error messages. */
  readonly source: 'setting' | 'python extension' | 'default';
}

/** The interpreter for `script` (a `.py` file). */
export async function pythonFor(script: vscode.Uri, setting: string): Promise<InterpreterChoice> {
  if (setting.trim() !== '') return { python: setting.trim(), source: 'setting' };
  const selected = await selectedInPythonExtension(script);
  if (selected !== null) return { python: selected, source: 'python extension' };
  return { python: defaultPython(), source: 'default' };
}

async function selectedInPythonExtension(script: vscode.Uri): Promise<string | null> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (ext === undefined) return null;
  try {
    // Whatever the extension's activate returned: undefined when it failed to set up.
    const api = (ext.isActive ? ext.exports : await ext.activate()) as
      PythonExtensionApi | undefined;
    const envs = api?.environments;
    if (envs === undefined) return null;
    const active = envs.getActiveEnvironmentPath(script);
    if (active === undefined) return null;
    const resolved = await envs.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
  } catch {
    // An older or broken Python extension: fall back as if it were not there.
    return null;
  }
}
