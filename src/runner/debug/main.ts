// The program VS Code's JavaScript debugger launches for "Gradlens: Debug Script":
// `node --enable-source-maps dist/runner/debug.cjs SCRIPT`. It installs the engine the bundle
// binds `gradlens` to and the inspection API, bundles the user's script with the runner's
// bundler (inline source map pointing at the user's files, so breakpoints set in the .ts
// bind) and imports it. No IPC: a paused process could not answer it anyway.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as torch from '../../engine/index';
import { ENGINE_GLOBAL, SyntaxProblem, bundleScript } from '../bundle';
import { currentUserLocation, setBundleFile } from '../stack';
import { installInspectApi } from './api';

async function main(): Promise<void> {
  const arg = process.argv.at(2);
  if (arg === undefined) {
    process.stderr.write('usage: node --enable-source-maps debug.cjs SCRIPT\n');
    process.exitCode = 2;
    return;
  }
  const script = path.resolve(arg);
  (globalThis as Record<string, unknown>)[ENGINE_GLOBAL] = torch;
  installInspectApi();
  // Graph nodes remember the user line that made them, so the graph view can reveal it.
  torch._setNodeCreatedHook((node) => {
    node.metadata.loc = currentUserLocation();
  });
  let bundled;
  try {
    bundled = await bundleScript(script);
  } catch (e) {
    process.stderr.write(
      `${e instanceof SyntaxProblem ? 'SyntaxError: ' : ''}${(e as Error).message}\n`,
    );
    process.exitCode = 1;
    return;
  }
  setBundleFile(bundled.file);
  process.once('exit', () => bundled.cleanup());
  await import(pathToFileURL(bundled.file).href);
}

void main();
