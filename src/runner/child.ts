// The runner child: says hello, waits for the host's start message, bundles and runs the
// user's script with the capture hooks installed, and reports through the typed protocol on
// the channel of src/runner/channel.ts.
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { COLLECTOR_KEY } from '../engine/wasm/memory-release';
import {
  PROTOCOL_VERSION,
  type ChildMessage,
  type RunError,
  type RunOptions,
} from '../protocol/messages';
import { ChildChannel } from './channel';
import { HostInbox } from './host-inbox';
import type { PrepareMessage, StartMessage } from './host-inbox-flags';
import {
  ENGINE_GLOBAL,
  SyntaxProblem,
  bundleScript,
  warmBundler,
  warmModuleLoader,
  type Bundled,
} from './bundle';
import { Capture } from './capture';
import { cleanStack, setBundleFile, userLocation } from './stack';
import { GRADCHECK_ENV, installGradcheck, parseGradcheckRequest } from './gradcheck-child';
import { warmCapture } from './warm-capture';

// The engine asks for a collection when it drops a large product's memory
// (src/engine/wasm/memory-release.ts). The collector comes from a context of its own, so the
// user's script gets no global `gc` that plain `node` would not give it.
setFlagsFromString('--expose-gc');
(globalThis as Record<symbol, unknown>)[COLLECTOR_KEY] = runInNewContext('gc');

/** When the run started (a child may wait for its script, started ahead). */
let started = Date.now();
let capture: Capture | null = null;
let bundled: Bundled | null = null;
let finished = false;
/** The bundle a waiting runner makes of the script it was told it will likely run. */
let prepared: { script: string; bundleCache: string; done: Promise<unknown> } | null = null;
const channel = new ChildChannel();

function send(m: ChildMessage): void {
  channel.send(m);
}

function reportError(error: RunError): void {
  send({ type: 'run/error', error });
}

function errorOf(e: unknown): RunError {
  if (e instanceof SyntaxProblem)
    return {
      kind: 'syntax',
      message: `SyntaxError: ${e.message}`,
      stack: null,
      location: e.location,
    };
  if (e instanceof Error) {
    const stack = e.stack === undefined ? null : cleanStack(e.stack);
    return {
      kind: 'exception',
      message: `${e.name}: ${e.message}`,
      stack,
      location: userLocation(e.stack),
    };
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
    reportError({
      kind: 'crash',
      message: `capture failed at the end of the run: ${(e as Error).message}`,
      stack: (e as Error).stack ?? null,
      location: null,
    });
  }
  if (capture !== null && capture.backwardCount === 0 && exitCode === 0) {
    reportError({
      kind: 'no-backward',
      message:
        'the script never called backward() or autograd.grad(), so there is no autograd graph to show',
      stack: null,
      location: null,
    });
  }
  bundled?.cleanup();
  send({
    type: 'run/done',
    backwardCount: capture?.backwardCount ?? 0,
    durationMs: Date.now() - started,
  });
  process.exitCode = exitCode;
}

async function run(options: RunOptions): Promise<void> {
  started = Date.now();
  process.chdir(options.cwd);
  process.argv = [process.argv[0], options.script, ...options.args];
  capture = new Capture(options, {
    snapshot: (snapshot) => send({ type: 'graph/snapshot', snapshot }),
    metrics: (metrics, stride) =>
      send(
        stride > 1
          ? { type: 'train/metrics', metrics, stride }
          : { type: 'train/metrics', metrics },
      ),
    stop: () => {
      finish(0);
      // The script is stopped where it stands, inside its loop if it is in one: everything
      // was sent synchronously, so nothing is lost.
      process.exit(0);
    },
  });
  const engine = capture.install();
  engine._setBeforeOpHook(() => inbox.checkpoint());
  const gradcheck = process.env[GRADCHECK_ENV];
  if (gradcheck !== undefined) installGradcheck(parseGradcheckRequest(gradcheck));
  (globalThis as Record<string, unknown>)[ENGINE_GLOBAL] = engine;
  try {
    // The kept bundle of a prepared script serves if the script is as it was then.
    if (prepared?.script === options.script && prepared.bundleCache === options.bundleCache)
      await prepared.done;
    bundled = await bundleScript(options.script, options.bundleCache);
  } catch (e) {
    reportError(errorOf(e));
    finished = true;
    send({ type: 'run/done', backwardCount: 0, durationMs: Date.now() - started });
    process.exitCode = 1;
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

// The script called process.exit(): say goodbye on the way out (sending is synchronous).
process.on('exit', (code) => {
  if (capture !== null) finish(code);
});
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

function onStart(m: StartMessage): void {
  if (m.protocol !== PROTOCOL_VERSION) {
    reportError({
      kind: 'protocol',
      message: `host speaks protocol ${m.protocol}, runner expects ${PROTOCOL_VERSION}`,
      stack: null,
      location: null,
    });
    process.exit(2);
  }
  // Messages from the host must not keep the script alive once it is done.
  inbox.unref();
  run(m.options).catch(fail);
}

/** Bundles the script into the cache while the runner waits; its run then finds it kept. */
function onPrepare(m: PrepareMessage): void {
  if (prepared !== null || capture !== null) return;
  prepared = {
    ...m,
    // A script that does not parse is reported by its run, which bundles it again; so is one
    // whose bundle could not be kept (a temporary one is removed).
    done: bundleScript(m.script, m.bundleCache).then(
      (b) => b.cleanup(),
      () => undefined,
    ),
  };
}

const inbox = new HostInbox(channel.fds.in, {
  start: onStart,
  prepare: onPrepare,
  problem: (message) => reportError({ kind: 'protocol', message, stack: null, location: null }),
  captureRequested: () => capture?.request(),
  paused: (paused) => send({ type: paused ? 'run/paused' : 'run/resumed' }),
  // The host is gone (it crashed or was killed): nobody will read what this run captures.
  hostGone: () => process.exit(70),
});
send({
  type: 'hello',
  protocol: PROTOCOL_VERSION,
  pid: process.pid,
  runtime: { language: 'node', version: process.versions.node, torch: null, missing: [] },
});
warmBundler();
// The capture path warms only in a runner started ahead (a run that starts at once skips it),
// after the script's bundle is kept: the run needs that first.
warmModuleLoader()
  .catch(() => undefined)
  .then(() => prepared?.done)
  .then(() => warmCapture(() => capture !== null))
  .catch(() => undefined);
