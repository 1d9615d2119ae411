// Host side of the runner, shared by the CLI and the extension: spawn the child with an IPC
// channel, hold the handshake, validate every message, enforce the time and memory limits,
// and always settle `done` — whatever the child does, the host must not hang.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  PROTOCOL_VERSION,
  ProtocolError,
  assertNever,
  validateChildMessage,
  type ChildMessage,
  type GraphSnapshot,
  type HostMessage,
  type RunError,
  type RunOptions,
  type TrainMetric,
} from '../protocol/messages';

export interface LaunchOptions {
  /** The user's script; resolved against `cwd`. */
  script: string;
  /** Working directory of the script (default: the script's folder). */
  cwd?: string;
  /** Kill the script after this long (default: no limit). */
  timeoutMs?: number;
  /** Heap cap for the child, passed as --max-old-space-size. */
  maxMemoryMb?: number;
  /** Which backward() gets a full graph capture (default 'last'; the first is always captured too). */
  captureAt?: number | 'last' | 'all';
  /** Graphs with more nodes than this are collapsed by module (default 2000). */
  maxNodes?: number;
  /** Also record saved tensors as graph nodes (default false). */
  savedTensors?: boolean;
  stopAfter?: { file: string; line: number };
  /** The child entry; defaults to dist/runner/child.cjs of this package. */
  childPath?: string;
  /**
   * A child started ahead (see SpareRunner) to run the script in; taken if it is alive and
   * was started for the same child path and memory cap, else stopped and a new one started.
   */
  spare?: SpareRunner;
}

export interface LaunchHandlers {
  /** Every validated message from the child, in order. */
  onMessage?(message: ChildMessage): void;
  onStdout?(text: string): void;
  onStderr?(text: string): void;
}

export interface RunResult {
  /** True when the script finished, no error was reported, and the child exited with 0. */
  ok: boolean;
  /** The host ended the run through `cancel()` (a user's Stop or Cancel): not an error. */
  cancelled: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Errors reported by the child, plus those the host found (timeout, memory, protocol, crash). */
  errors: RunError[];
  snapshots: GraphSnapshot[];
  metrics: TrainMetric[];
  backwardCount: number;
  durationMs: number;
  /** Wall-clock time when the script ended (ms since epoch), for end-to-output timings. */
  endedAt: number;
}

export interface RunHandle {
  done: Promise<RunResult>;
  /** Kills the child; `done` still settles with what was captured so far. */
  cancel(): void;
  /** Asks the child for a full capture of the next backward(). */
  requestCapture(): void;
  /**
   * Freezes the child (SIGSTOP: a synchronous training loop cannot read IPC) and stops the
   * timeout clock; false where that is impossible (Windows, not started, ended).
   */
  pause(): boolean;
  /** Lets a paused child go on; the timeout clock resumes with the time it had left. */
  resume(): boolean;
  /** The child's pid once it has said hello, else null. */
  readonly pid: number | null;
}

const HELLO_TIMEOUT_MS = 15_000;
/** Room for Node itself and the bundled engine above the user's --max-memory. */
const RSS_HEADROOM_MB = 128;

/** Finds dist/runner/child.cjs from wherever this module was bundled or loaded. */
export function defaultChildPath(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'gradlens') return path.join(dir, 'dist', 'runner', 'child.cjs');
      } catch {
        // not our package.json; keep walking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return path.join(__dirname, '..', 'runner', 'child.cjs');
    dir = up;
  }
}

function childArgs(maxMemoryMb: number | undefined): string[] {
  const execArgv = ['--enable-source-maps', '--stack-size=4000'];
  if (maxMemoryMb !== undefined) execArgv.push(`--max-old-space-size=${Math.max(16, Math.floor(maxMemoryMb))}`);
  return execArgv;
}

function forkChild(childPath: string, execArgv: string[], cwd?: string): ChildProcess {
  return fork(childPath, [], { cwd, execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, NODE_OPTIONS: '' } });
}

/**
 * A runner child started before it is needed, waiting for its script: Node, the runner and
 * esbuild load while the user looks at the last graph, so the next run starts about 150 ms
 * sooner. Hand it to launchRunner through `LaunchOptions.spare`; dispose of it otherwise.
 *
 * @example
 * let spare = new SpareRunner({ maxMemoryMb: 2048 });
 * const run = launchRunner({ script, maxMemoryMb: 2048, spare });
 * spare = new SpareRunner({ maxMemoryMb: 2048 }); // for the run after
 */
export class SpareRunner {
  private child: ChildProcess | null;
  private hello: unknown = null;
  private readonly key: string;
  /** Settles true once the child has said hello, false if it ended first or never started. */
  readonly ready: Promise<boolean>;

  constructor(options: Pick<LaunchOptions, 'maxMemoryMb' | 'childPath'> = {}) {
    const childPath = options.childPath ?? defaultChildPath();
    const execArgv = childArgs(options.maxMemoryMb);
    this.key = JSON.stringify([childPath, execArgv]);
    let child: ChildProcess | null = null;
    try {
      child = existsSync(childPath) ? forkChild(childPath, execArgv) : null;
    } catch {
      // No spare then: launchRunner starts a child and reports why it could not.
    }
    this.child = child;
    this.ready = new Promise((resolve) => {
      if (child === null) return resolve(false);
      child.once('message', (m: unknown) => {
        this.hello = m;
        resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    child?.on('error', () => this.dispose());
    // Waiting must not keep the host's process alive (a CLI would never exit).
    child?.unref();
    child?.channel?.unref();
  }

  /** The child and its hello if it is alive, said hello and suits `childPath` and `execArgv`; else null, and the spare is stopped. */
  take(childPath: string, execArgv: string[]): { child: ChildProcess; hello: unknown } | null {
    const c = this.child;
    const suits = c !== null && this.hello !== null && c.connected && c.exitCode === null && c.signalCode === null && this.key === JSON.stringify([childPath, execArgv]);
    if (!suits) {
      this.dispose();
      return null;
    }
    this.child = null;
    c.removeAllListeners('error');
    c.ref();
    c.channel?.ref();
    return { child: c, hello: this.hello };
  }

  /** The waiting child's pid, or null once taken or stopped. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  dispose(): void {
    const c = this.child;
    this.child = null;
    if (c !== null && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

/**
 * Runs a user script in a child Node process and streams what it captures.
 *
 * @example
 * const run = launchRunner({ script: 'examples/square-plus-3x.ts', timeoutMs: 30_000 }, {
 *   onMessage: (m) => { if (m.type === 'graph/snapshot') show(m.snapshot); },
 *   onStdout: (t) => process.stdout.write(t),
 * });
 * const result = await run.done;
 */
export function launchRunner(options: LaunchOptions, handlers: LaunchHandlers = {}): RunHandle {
  const started = Date.now();
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const script = path.resolve(cwd, options.script);
  const result: RunResult = {
    ok: false, cancelled: false, exitCode: null, signal: null, errors: [], snapshots: [], metrics: [],
    backwardCount: 0, durationMs: 0, endedAt: 0,
  };
  const runOptions: RunOptions = {
    script,
    cwd: options.cwd === undefined ? path.dirname(script) : cwd,
    captureAt: options.captureAt ?? 'last',
    maxNodes: options.maxNodes ?? 2000,
    savedTensors: options.savedTensors ?? false,
    stopAfter: options.stopAfter ?? null,
  };
  let child: ChildProcess | null = null;
  let finished = false;
  let timedOut = false;
  let sawHello = false;
  let sawDone = false;
  let stderrTail = '';
  let overMemory = false;
  const timers: NodeJS.Timeout[] = [];

  const send = (m: HostMessage): void => {
    if (child !== null && child.connected) child.send(m);
  };
  const kill = (): void => {
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  // The timeout counts running time only: a paused script is not using its budget.
  let timeLeft = 0;
  let clock: NodeJS.Timeout | null = null;
  let clockStarted = 0;
  let paused = false;
  function startClock(): void {
    clockStarted = Date.now();
    clock = setTimeout(() => {
      timedOut = true;
      result.endedAt = Date.now();
      kill();
    }, timeLeft);
    timers.push(clock);
  }
  const signal = (sig: NodeJS.Signals): boolean => {
    if (finished || child === null || child.exitCode !== null || process.platform === 'win32') return false;
    try {
      return child.kill(sig);
    } catch {
      return false;
    }
  };
  const done = new Promise<RunResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (finished) return;
      finished = true;
      for (const t of timers) clearTimeout(t);
      result.exitCode = code;
      result.signal = signal;
      result.durationMs = Date.now() - started;
      result.endedAt ||= Date.now();
      if (timedOut) {
        result.errors.push({ kind: 'timeout', message: `script did not finish within ${(options.timeoutMs ?? 0) / 1000} s and was stopped`, stack: null, location: null });
      } else if (overMemory || /JavaScript heap out of memory|Reached heap limit|Allocation failed/.test(stderrTail)) {
        const cap = options.maxMemoryMb === undefined ? 'the heap limit' : `the memory cap of ${options.maxMemoryMb} MB`;
        result.errors.push({ kind: 'memory', message: `script ran out of memory (exceeded ${cap}) and was stopped`, stack: null, location: null });
      } else if (!sawDone && !result.cancelled && !result.errors.some((e) => e.kind !== 'protocol')) {
        const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
        result.errors.push({ kind: 'crash', message: `script ${how} before finishing`, stack: null, location: null });
      }
      result.ok = sawDone && code === 0 && result.errors.length === 0;
      resolve(result);
    };

    const execArgv = childArgs(options.maxMemoryMb);
    const childPath = options.childPath ?? defaultChildPath();
    const spare = options.spare?.take(childPath, execArgv) ?? null;
    if (spare === null && !existsSync(childPath)) {
      result.errors.push({ kind: 'launch', message: `runner not built: ${childPath} is missing (run npm run build)`, stack: null, location: null });
      finish(null, null);
      return;
    }
    try {
      // The child changes to the script's folder itself, so a spare started anywhere serves.
      child = spare?.child ?? forkChild(childPath, execArgv, runOptions.cwd);
    } catch (e) {
      result.errors.push({ kind: 'launch', message: `could not start the runner: ${(e as Error).message}`, stack: null, location: null });
      finish(null, null);
      return;
    }
    const c = child;
    c.stdout!.setEncoding('utf8');
    c.stderr!.setEncoding('utf8');
    c.stdout!.on('data', (t: string) => handlers.onStdout?.(t));
    c.stderr!.on('data', (t: string) => {
      stderrTail = (stderrTail + t).slice(-4000);
      handlers.onStderr?.(t);
    });
    c.on('error', (e) => {
      result.errors.push({ kind: 'launch', message: `runner process error: ${e.message}`, stack: null, location: null });
      kill();
    });
    const onMessage = (raw: unknown): void => {
      let m: ChildMessage;
      try {
        m = validateChildMessage(raw);
      } catch (e) {
        const detail = e instanceof ProtocolError ? e.message : String(e);
        result.errors.push({ kind: 'protocol', message: `rejected a message from the runner: ${detail}`, stack: null, location: null });
        return;
      }
      switch (m.type) {
        case 'hello':
          if (m.protocol !== PROTOCOL_VERSION) {
            result.errors.push({ kind: 'protocol', message: `runner speaks protocol ${m.protocol}, host expects ${PROTOCOL_VERSION}`, stack: null, location: null });
            kill();
            return;
          }
          sawHello = true;
          send({ type: 'run/start', protocol: PROTOCOL_VERSION, options: runOptions });
          break;
        case 'graph/snapshot':
          result.snapshots.push(m.snapshot);
          break;
        case 'train/metrics':
          // No spread: a batch from a long synchronous loop can exceed the argument limit.
          for (const metric of m.metrics) result.metrics.push(metric);
          break;
        case 'run/error':
          result.errors.push(m.error);
          break;
        case 'run/done':
          sawDone = true;
          result.backwardCount = m.backwardCount;
          result.endedAt = Date.now();
          break;
        default:
          assertNever(m, 'message');
      }
      if (!sawHello && m.type !== 'hello') return;
      handlers.onMessage?.(m);
    };
    c.on('message', onMessage);
    // As if it had just arrived: after launchRunner returns, so handlers can use the handle.
    if (spare !== null) process.nextTick(onMessage, spare.hello);
    // 'close' waits for stdio to drain, so the last lines of output are not lost.
    c.on('close', (code, signal) => finish(code, signal));
    timers.push(
      setTimeout(() => {
        if (!sawHello) {
          result.errors.push({ kind: 'protocol', message: 'runner did not say hello', stack: null, location: null });
          kill();
        }
      }, HELLO_TIMEOUT_MS),
    );
    if (options.maxMemoryMb !== undefined) {
      // --max-old-space-size caps the JS heap only; tensor storage lives in ArrayBuffers
      // outside it, so the whole process is watched too (Linux: resident set from /proc).
      const limitBytes = (options.maxMemoryMb + RSS_HEADROOM_MB) * 1024 * 1024;
      const statm = `/proc/${c.pid}/statm`;
      const poll = setInterval(() => {
        let rss: number;
        try {
          rss = Number(readFileSync(statm, 'utf8').split(' ')[1]) * 4096;
        } catch {
          clearInterval(poll);
          return;
        }
        if (rss > limitBytes) {
          overMemory = true;
          clearInterval(poll);
          kill();
        }
      }, 100);
      c.once('exit', () => clearInterval(poll));
    }
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
      timeLeft = options.timeoutMs;
      startClock();
    }
  });



  return {
    done,
    cancel: () => {
      if (!finished) result.cancelled = true;
      kill();
    },
    requestCapture: () => send({ type: 'capture/request' }),
    pause: () => {
      if (paused || !signal('SIGSTOP')) return false;
      paused = true;
      if (clock !== null) {
        clearTimeout(clock);
        clock = null;
        timeLeft = Math.max(0, timeLeft - (Date.now() - clockStarted));
      }
      return true;
    },
    resume: () => {
      if (!paused || !signal('SIGCONT')) return false;
      paused = false;
      if (options.timeoutMs !== undefined && options.timeoutMs > 0) startClock();
      return true;
    },
    get pid() {
      return sawHello && child !== null ? (child.pid ?? null) : null;
    },
  };
}
