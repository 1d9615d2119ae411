// "Gradlens: Debug Script" on a .py file: which debugger runs it, its launch configuration,
// and the texts sent to the paused Python process (the inspection call, the tensor hover).
// The Python Debugger extension runs the session when it is installed (debug type `debugpy`);
// otherwise Gradlens starts debugpy's own adapter under the debug type it contributes. Both
// speak the same launch arguments. Plain data, no `vscode`: unit-tested.
import * as path from 'node:path';
import type { InspectedTensor } from '../../runner/debug/protocol';
import type { InterpreterChoice } from '../python-interpreter';
import { GRADLENS_FLAG } from './config';
import { shapeText, valuesText } from './present';

/** The debug type Gradlens contributes; its adapter is `python -m debugpy.adapter`. */
export const OWN_ADAPTER_TYPE = 'gradlens-python';
/** The Python Debugger extension and its debug type. */
export const DEBUGPY_EXTENSION_ID = 'ms-python.debugpy';
export const DEBUGPY_TYPE = 'debugpy';

export function isPythonDebugType(type: string): boolean {
  return type === OWN_ADAPTER_TYPE || type === DEBUGPY_TYPE;
}

export type PythonDebugger = 'debugpy extension' | 'own adapter' | 'missing';

/** The Python Debugger extension when installed, else debugpy's adapter when importable. */
export function choosePythonDebugger(o: {
  extensionInstalled: boolean;
  debugpyImportable: boolean;
}): PythonDebugger {
  if (o.extensionInstalled) return 'debugpy extension';
  return o.debugpyImportable ? 'own adapter' : 'missing';
}

const FROM: Record<InterpreterChoice['source'], string> = {
  setting: 'the setting gradlens.python.path',
  'python extension': 'the Python extension',
  default: 'PATH',
};

/** What `python -c "import debugpy"` told. */
export type DebugpyProbe = 'importable' | 'missing' | 'no interpreter';

/** Says which interpreter could not debug and what to do about it. */
export function debugpyProblem(choice: InterpreterChoice, probe: DebugpyProbe): string {
  const which = `${choice.python} (from ${FROM[choice.source]})`;
  if (probe === 'no interpreter')
    return `Gradlens: cannot debug the script: the interpreter ${which} was not found. Set gradlens.python.path to a Python that has torch.`;
  return (
    `Gradlens: debugging a Python script needs debugpy, which ${which} cannot import. ` +
    `Install the Python Debugger extension (${DEBUGPY_EXTENSION_ID}), or debugpy for that interpreter: ` +
    `\`${choice.python} -m pip install debugpy\` (Debian and Ubuntu: \`sudo apt install python3-debugpy\`).`
  );
}

export interface PythonDebugLaunch {
  type: typeof OWN_ADAPTER_TYPE | typeof DEBUGPY_TYPE;
  /** Absolute path of the user's script. */
  script: string;
  cwd: string;
  args: readonly string[];
  python: string;
  /** The folder holding the `gradlens` package (the extension's `python/`). */
  packageDir: string;
  /** PYTHONPATH of the extension host, kept after the package's folder. */
  inheritedPythonPath?: string;
}

export interface PythonLaunchConfiguration {
  type: typeof OWN_ADAPTER_TYPE | typeof DEBUGPY_TYPE;
  request: 'launch';
  name: string;
  program: string;
  args: string[];
  cwd: string;
  python: string;
  justMyCode: true;
  console: 'internalConsole';
  env: Record<string, string>;
  [GRADLENS_FLAG]: true;
}

export function pythonDebugConfiguration(l: PythonDebugLaunch): PythonLaunchConfiguration {
  const pythonPath = [l.packageDir, l.inheritedPythonPath]
    .filter((p) => p !== undefined && p !== '')
    .join(path.delimiter);
  return {
    type: l.type,
    request: 'launch',
    name: `Gradlens: Debug ${path.basename(l.script)}`,
    program: l.script,
    args: [...l.args],
    cwd: l.cwd,
    // debugpy starts the script with this interpreter, the one Visualize Graph uses. A string,
    // as the Python Debugger extension's configurations spell it (debugpy also takes a list).
    python: l.python,
    justMyCode: true,
    console: 'internalConsole',
    // The inspection helper (gradlens.inspect) is imported from here at every stop.
    env: { PYTHONPATH: pythonPath, PYTHONIOENCODING: 'utf-8' },
    [GRADLENS_FLAG]: true,
  };
}

/**
 * What the host evaluates in the paused frame: gradlens.inspect's JSON of the tensors in scope.
 * debugpy evaluates with the frame's globals merged into its locals and `globals()` bound to
 * the frame's own. Before the script has imported torch there is nothing to show, and
 * importing it then would be a side effect that takes seconds: the answer is `null`.
 */
export const PYTHON_INSPECT_EXPRESSION =
  "__import__('gradlens.inspect').inspect.scope_json(locals(), globals()) if 'torch' in __import__('sys').modules else 'null'";

/**
 * The evaluate arguments besides the expression: in `watch` debugpy hides warnings the call
 * could raise and names the exception of a failed call; `rawString` makes it hand the string
 * back whole, unquoted and without its length limits.
 */
export const PYTHON_EVALUATE_OPTIONS = { context: 'watch', format: { rawString: true } } as const;

/** A Python value written as a literal: str, float, int, bool, None. */
function literal(v: string | number | boolean | null): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  // JSON's string escapes are Python's as well.
  return JSON.stringify(v);
}

/**
 * The dict VS Code's debug hover shows for a tensor, built from the summary the stop already
 * fetched, so hovering runs nothing of the user's in the debuggee; keys spelled as PyTorch's
 * attributes.
 */
export function pythonHoverExpression(t: InspectedTensor): string {
  const o: Record<string, string | number | boolean | null> = {
    shape: shapeText(t.value),
    dtype: t.value.dtype,
    values: valuesText(t.value),
    grad: t.grad === null ? null : `${shapeText(t.grad)} ${valuesText(t.grad)}`,
    grad_fn: t.gradFn,
    is_leaf: t.isLeaf,
    requires_grad: t.requiresGrad,
    retains_grad: t.retainsGrad,
    _version: t.version,
  };
  return `{${Object.entries(o)
    .map(([k, v]) => `${literal(k)}: ${literal(v)}`)
    .join(', ')}}`;
}
