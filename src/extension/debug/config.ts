// The launch configuration for "Gradlens: Debug Script": VS Code's own JavaScript debugger
// (`type: 'node'`, which reports as `pwa-node`) runs dist/runner/debug.cjs, which bundles the
// user's script into `bundleDir` with an inline source map whose sources are the user's files.
// No `vscode` import: the configuration is plain data, tested as such.
import * as path from 'node:path';

/** Marks the sessions this extension started (VS Code keeps unknown fields of a configuration). */
export const GRADLENS_FLAG = '__gradlens';
export const BUNDLE_DIR_KEY = '__gradlensBundleDir';

export interface DebugLaunch {
  /** Absolute path of the user's script. */
  script: string;
  /** Workspace folder (or the script's folder when it is outside any). */
  cwd: string;
  /** Root of the installed extension (holds dist/runner/debug.cjs). */
  extensionPath: string;
  /** A fresh directory for the bundle; the bundler's temp dir is pointed here. */
  bundleDir: string;
}

export interface NodeLaunchConfiguration {
  type: 'node';
  request: 'launch';
  name: string;
  program: string;
  args: string[];
  cwd: string;
  runtimeArgs: string[];
  sourceMaps: true;
  pauseForSourceMap: true;
  outFiles: string[];
  resolveSourceMapLocations: string[];
  skipFiles: string[];
  env: Record<string, string>;
  console: 'internalConsole';
  autoAttachChildProcesses: false;
  [GRADLENS_FLAG]: true;
  [BUNDLE_DIR_KEY]: string;
}

export function debugConfiguration(l: DebugLaunch): NodeLaunchConfiguration {
  const dist = path.join(l.extensionPath, 'dist');
  return {
    type: 'node',
    request: 'launch',
    name: `Gradlens: Debug ${path.basename(l.script)}`,
    program: path.join(dist, 'runner', 'debug.cjs'),
    args: [l.script],
    cwd: l.cwd,
    // Stack traces (and the graph's node locations) in the user's own lines.
    runtimeArgs: ['--enable-source-maps'],
    sourceMaps: true,
    // The bundle is written when the script starts, so no outFiles scan can find it first:
    // the debugger must pause on it and read its source map before any of it runs.
    pauseForSourceMap: true,
    outFiles: [path.join(l.bundleDir, '**', '*.mjs')],
    // The default allows only the workspace; the bundle lives in a temp directory.
    resolveSourceMapLocations: [path.join(l.bundleDir, '**'), '!**/node_modules/**'],
    // Stepping stays in the user's code, not in the engine or the runner.
    skipFiles: ['<node_internals>/**', path.join(dist, '**')],
    // One thread: the engine's matmul workers would otherwise show up in the Call Stack view
    // as threads of their own, which only confuses a stepping session.
    env: { TMPDIR: l.bundleDir, TMP: l.bundleDir, TEMP: l.bundleDir, GRADLENS_THREADS: '1' },
    console: 'internalConsole',
    autoAttachChildProcesses: false,
    [GRADLENS_FLAG]: true,
    [BUNDLE_DIR_KEY]: l.bundleDir,
  };
}

/** Whether a document is a script written against the engine (CodeLens "Debug" goes there). */
export function importsGradlens(text: string): boolean {
  return /\bfrom\s+['"]gradlens['"]|\brequire\(\s*['"]gradlens['"]\s*\)|\bimport\(\s*['"]gradlens['"]\s*\)/.test(
    text,
  );
}
