// The runner child: says hello, waits for the host's start message, bundles and runs the
// user's script with the capture hooks installed, and reports through the typed protocol.
import { pathToFileURL } from 'node:url';
import {
  PROTOCOL_VERSION,
  assertNever,
  validateHostMessage,
  type ChildMessage,
  type RunError,
  type RunOptions,
} from '../protocol/messages';
import { ENGINE_GLOBAL, SyntaxProblem, bundleScript, warmBundler, type Bundled } from './bundle';
import { Capture } from './capture';
import { cleanStack, setBundleFile, userLocation } from './stack';

/** When the run started (a child may wait for its script, started ahead). */
let started = Date.now();
let capture: Capture | null = null;
let bundled: Bundled | null = null;
let finished = false;

function send(m: ChildMessage, then?: () => void): void {
  if (process.send === undefined || !process.connected) {
    then?.();
    return;
  }
  process.send(m, undefined, {}, () => then?.());
}

function reportError(error: RunError): void {
  send({ type: 'run/error', error });
}

function errorOf(e: unknown): RunError {
  if (e instanceof SyntaxProblem) return { kind: 'syntax', message: `SyntaxError: ${e.message}`, stack: null, location: e.location };
  if (e instanceof Error) {
    const stack = e.stack === undefined ? null : cleanStack(e.stack);
    return { kind: 'exception', message: `${e.name}: ${e.message}`, stack, location: userLocation(e.stack) };
  }
  return { kind: 'exception', message: `Uncaught ${String(e)}`, stack: null, location: null };
}

/** Sends what is left and lets the process end; idempotent. */
function finish(exitCode: number): void {
  if (finished) return;
  finished = true;
  try {
    capture?.finish();
  } catch (e) {
    reportError({ kind: 'crash', message: `capture failed at the end of the run: ${(e as Error).message}`, stack: (e as Error).stack ?? null, location: null });
  }
  if (capture !== null && capture.backwardCount === 0 && exitCode === 0) {
    reportError({ kind: 'no-backward', message: 'the script never called backward() or autograd.grad(), so there is no autograd graph to show', stack: null, location: null });
  }
  bundled?.cleanup();
  send({ type: 'run/done', backwardCount: capture?.backwardCount ?? 0, durationMs: Date.now() - started }, () => {
    process.exitCode = exitCode;
    process.disconnect?.();
  });
}

async function run(options: RunOptions): Promise<void> {
  started = Date.now();
  process.chdir(options.cwd);
  capture = new Capture(options, {
    snapshot: (snapshot) => send({ type: 'graph/snapshot', snapshot }),
    metrics: (metrics) => send({ type: 'train/metrics', metrics }),
    stop: () => {
      finish(0);
      // The script is stopped where it stands; nothing after this line runs.
      setImmediate(() => process.exit(0));
    },
  });
  const engine = capture.install();
  (globalThis as Record<string, unknown>)[ENGINE_GLOBAL] = engine;
  try {
    bundled = await bundleScript(options.script);
  } catch (e) {
    reportError(errorOf(e));
    finished = true;
    send({ type: 'run/done', backwardCount: 0, durationMs: Date.now() - started }, () => {
      process.exitCode = 1;
      process.disconnect?.();
    });
    return;
  }
  setBundleFile(bundled.file);
  // The script may keep working after its top level returns (timers, promises): the run
  // ends when the event loop is empty, which 'beforeExit' reports.
  process.once('beforeExit', () => finish(0));
  await import(pathToFileURL(bundled.file).href);
}

function fail(e: unknown): void {
  if (finished) return;
  reportError(errorOf(e));
  finish(1);
}

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

process.on('message', (raw: unknown) => {
  let m;
  try {
    m = validateHostMessage(raw);
  } catch (e) {
    reportError({ kind: 'protocol', message: `runner rejected a message from the host: ${(e as Error).message}`, stack: null, location: null });
    return;
  }
  switch (m.type) {
    case 'run/start':
      if (m.protocol !== PROTOCOL_VERSION) {
        reportError({ kind: 'protocol', message: `host speaks protocol ${m.protocol}, runner expects ${PROTOCOL_VERSION}`, stack: null, location: null });
        process.exit(2);
      }
      // Messages from the host must not keep the script alive once it is done.
      process.channel?.unref();
      run(m.options).catch(fail);
      break;
    case 'capture/request':
      capture?.request();
      break;
    default:
      assertNever(m, 'host message');
  }
});

send({ type: 'hello', protocol: PROTOCOL_VERSION, pid: process.pid });
warmBundler();
