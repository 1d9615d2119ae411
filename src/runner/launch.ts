// Host side of the runner, shared by the CLI and the extension: start the child (Node for
// .ts/.js, python for .py), hold the handshake, validate every message, enforce the time and
// memory limits, and always settle `done` — whatever the child does, the host must not hang
// or throw.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { limitSnapshot } from '../graph/collapse';
import {
  PROTOCOL_VERSION,
  assertNever,
  type CapturePointReport,
  type CapturePoints,
  type ChildMessage,
  type FlowPolicy,
  type GraphSnapshot,
  type HostMessage,
  type NotebookCellSource,
  type RunError,
  type RunNotice,
  type RunOptions,
  type RuntimeInfo,
  type TrainMetric,
} from '../protocol/messages';
import {
  defaultChildPath,
  killTree,
  languageOf,
  nodeCommand,
  pythonCommand,
  running,
  spawnChild,
  type ChildCommand,
} from './child-process';
import { MAX_ROWS, thinMetrics } from '../protocol/record-cap';
import { HostChannel } from './host-channel';
import { defaultPython } from './default-python';

export interface LaunchOptions {
  /** The user's script (.ts, .js, .mjs, .cjs, .py, .ipynb); resolved against `cwd`. */
  script: string;
  /** Working directory of the script (default: the script's folder). */
  cwd?: string;
  /** The script's own arguments. */
  args?: string[];
  /** The interpreter for .py scripts (default `python3` on PATH, `python` on Windows). */
  python?: string;
  /** Kill the script after this long (default: no limit). */
  timeoutMs?: number;
  /** Memory cap in MB: the Node child's heap limit, and for every child its resident size. */
  maxMemoryMb?: number;
  /** Which backward() gets a full graph capture (default 'last'; the first is always captured too). */
  captureAt?: number | 'last' | 'all';
  /** Graphs with more nodes than this are collapsed by module (default 2000). */
  maxNodes?: number;
  /** Also record saved tensors as graph nodes (default false). */
  savedTensors?: boolean;
  /** Record the gradients that flowed through each node (default 'auto': small graphs only). */
  flow?: FlowPolicy;
  stopAfter?: { file: string; line: number; cell?: number };
  /** A notebook's cells up to the one to run (as its editor holds them); default: the runner reads the .ipynb. */
  cells?: NotebookCellSource[];
  /** Breakpoint lines recorded without pausing: Python scripts only (not sent to the Node runner). */
  capturePoints?: CapturePoints;
  /** Node scripts only: a folder to keep their bundles in between runs (default: none). */
  bundleCache?: string;
  /** The Node child entry; defaults to dist/runner/child.cjs of this package. */
  childPath?: string;
  /** The folder holding the `gradlens` Python package; defaults to python/ of this package. */
  pythonPackageDir?: string;
  /**
   * A child started ahead (see SpareRunner) to run the script in; taken if it is alive and
   * was started with the same command, else stopped and a new one started.
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
  /** What the child said the user should know while the run went on (not failures). */
  notices: RunNotice[];
  snapshots: GraphSnapshot[];
  /** The snapshots of capture points, in run order (kept apart: they answer no backward()). */
  stops: GraphSnapshot[];
  /** How often each capture point was reached (from the end of a run that had them). */
  capturePoints: CapturePointReport[];
  /** The training record: every step that reached the host until MAX_ROWS, then capped (record-cap.ts). */
  metrics: TrainMetric[];
  /** Set when the stream of metrics was thinned: only every stride-th step is in `metrics` from then on. */
  metricStride: number;
  /** Steps per bucket once `metrics` reached its cap on rows (1: every step that arrived is in it). */
  metricWidth: number;
  backwardCount: number;
  durationMs: number;
  /** Wall-clock time when the script ended (ms since epoch), for end-to-output timings. */
  endedAt: number;
  /** What the child said it runs on (null if it never said hello). */
  runtime: RuntimeInfo | null;
}

export interface RunHandle {
  done: Promise<RunResult>;
  /** Kills the child and what it started; `done` still settles with what was captured so far. */
  cancel(): void;
  /** Asks the child for a full capture of the next backward(). */
  requestCapture(): void;
  /**
   * Asks the child to stop at its next tensor op or backward (it answers `run/paused`) and
   * stops the timeout clock; false before the child said hello or after it ended.
   */
  pause(): boolean;
  /** Lets a paused child go on; the timeout clock resumes with the time it had left. */
  resume(): boolean;
  /** The child's pid once it has said hello, else null. */
  readonly pid: number | null;
}

const HELLO_TIMEOUT_MS = 15_000;
/** Room for the interpreter and the bundled engine (or torch) above the user's --max-memory. */
const RSS_HEADROOM_MB = 128;

/** What decides which child a run needs; a spare without a script is a Node runner. */
type CommandOptions = Partial<
  Pick<LaunchOptions, 'script' | 'python' | 'maxMemoryMb' | 'childPath' | 'pythonPackageDir'>
>;

function commandFor(options: CommandOptions): ChildCommand {
  return options.script !== undefined && languageOf(options.script) === 'python'
    ? pythonCommand(options.python ?? defaultPython(), options.pythonPackageDir)
    : nodeCommand(options.childPath ?? defaultChildPath(), options.maxMemoryMb);
}

/**
 * A runner child started before it is needed, waiting for its script: the interpreter, the
 * runner (and torch, for python) load while the user looks at the last graph, so the next run
 * starts sooner. Hand it to launchRunner through `LaunchOptions.spare`; dispose of it otherwise.
 *
 * @example
 * let spare = new SpareRunner({ script: 'train.ts', maxMemoryMb: 2048 });
 * const run = launchRunner({ script, maxMemoryMb: 2048, spare });
 * spare = new SpareRunner({ script, maxMemoryMb: 2048 }); // for the run after
 */
export class SpareRunner {
  private child: ChildProcess | null = null;
  private channel: HostChannel | null = null;
  private hello: ChildMessage | null = null;
  private readonly key: string;
  /** Settles true once the child has said hello, false if it ended first or never started. */
  readonly ready: Promise<boolean>;
  /** When it was started, and when it said hello (ms since the epoch), for the run's timing line. */
  readonly startedAt = Date.now();
  helloAt: number | null = null;

  /**
   * With `script` and `bundleCache`, a Node runner also bundles the script into the cache
   * while it waits (it runs nothing), so that the run of the script as it is finds it kept.
   */
  constructor(options: CommandOptions & Pick<LaunchOptions, 'bundleCache'> = {}) {
    const command = commandFor(options);
    this.key = command.key;
    let settle: (ok: boolean) => void = () => undefined;
    this.ready = new Promise((resolve) => (settle = resolve));
    try {
      if (command.requires !== null && !existsSync(command.requires.path))
        throw new Error(command.requires.missing);
      this.child = spawnChild(command);
    } catch {
      // No spare then: launchRunner starts a child and reports why it could not.
      settle(false);
      return;
    }
    const child = this.child;
    this.channel = new HostChannel(child, {
      message: (m) => {
        if (this.hello === null && m.type === 'hello') {
          this.hello = m;
          this.helloAt = Date.now();
          settle(true);
        }
      },
      problem: () => undefined,
    });
    child.once('exit', () => {
      settle(false);
      // What it started ends with it, now: a later dispose would signal a process group id
      // that may by then belong to another program.
      if (this.child === child) this.dispose();
    });
    child.on('error', () => this.dispose());
    const { script, bundleCache } = options;
    if (command.language === 'node' && script !== undefined && bundleCache !== undefined)
      this.channel.send({ type: 'run/prepare', script: path.resolve(script), bundleCache });
    // Waiting must not keep the host's process alive (a CLI would never exit).
    child.unref();
    this.channel.unref();
    for (const s of [child.stdout, child.stderr])
      (s as unknown as { unref?(): void } | null)?.unref?.();
  }

  /**
   * The child and its hello if it is alive and was started with `key`, else null (and the
   * spare is stopped). A child still starting is taken too, with hello null: its hello then
   * arrives on the taker's channel, and the time it has loaded so far is not thrown away.
   */
  take(key: string): { child: ChildProcess; hello: ChildMessage | null } | null {
    const c = this.child;
    const hello = this.hello;
    if (c === null || !running(c) || this.key !== key) {
      this.dispose();
      return null;
    }
    this.child = null;
    this.channel?.detach();
    this.channel = null;
    c.removeAllListeners('error');
    c.ref();
    for (const s of [c.stdout, c.stderr]) (s as unknown as { ref?(): void } | null)?.ref?.();
    return { child: c, hello };
  }

  /** The waiting child's pid, or null once taken or stopped. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  dispose(): void {
    const c = this.child;
    this.child = null;
    this.channel?.close();
    this.channel = null;
    if (c !== null) killTree(c);
  }
}

/**
 * Runs a user script in a child process and streams what it captures.
 *
 * @example
 * const run = launchRunner({ script: 'examples/square-plus-3x.ts', timeoutMs: 30_000 }, {
 *   onMessage: (m) => { if (m.type === 'graph/snapshot') show(m.snapshot); },
 *   onStdout: (t) => process.stdout.write(t),
 * });
 * const result = await run.done;
 */
export function launchRunner(options: LaunchOptions, handlers: LaunchHandlers = {}): RunHandle {
  return new Run(options, handlers).handle;
}

/** A capture point's snapshot keeps only the scope entries whose nodes survived the limit. */
function limitPythonSnapshot(s: GraphSnapshot, maxNodes: number): GraphSnapshot {
  const limited = limitSnapshot(s, maxNodes);
  if (s.stop === undefined || limited === s) return limited;
  const ids = new Set(limited.nodes.map((n) => n.id));
  return { ...limited, stop: { ...s.stop, scope: s.stop.scope.filter((e) => ids.has(e.node)) } };
}

/** One run: its child, its limits, and what it captured so far. */
class Run {
  readonly handle: RunHandle;
  private readonly started = Date.now();
  private readonly command: ChildCommand;
  private readonly runOptions: RunOptions;
  private readonly result: RunResult = {
    ok: false,
    cancelled: false,
    exitCode: null,
    signal: null,
    errors: [],
    notices: [],
    snapshots: [],
    stops: [],
    capturePoints: [],
    metrics: [],
    metricStride: 1,
    metricWidth: 1,
    backwardCount: 0,
    durationMs: 0,
    endedAt: 0,
    runtime: null,
  };
  private child: ChildProcess | null = null;
  private channel: HostChannel | null = null;
  private finished = false;
  private sawDone = false;
  private overMemory = false;
  private stderrTail = '';
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly clock: TimeoutClock;
  private resolve: (r: RunResult) => void = () => undefined;

  constructor(
    private readonly options: LaunchOptions,
    private readonly handlers: LaunchHandlers,
  ) {
    const cwd = path.resolve(options.cwd ?? process.cwd());
    const script = path.resolve(cwd, options.script);
    this.command = commandFor({ ...options, script });
    this.runOptions = {
      script,
      cwd: options.cwd === undefined ? path.dirname(script) : cwd,
      captureAt: options.captureAt ?? 'last',
      maxNodes: options.maxNodes ?? 2000,
      savedTensors: options.savedTensors ?? false,
      flow: options.flow ?? 'auto',
      stopAfter: options.stopAfter ?? null,
      args: options.args ?? [],
      ...(options.cells === undefined ? {} : { cells: options.cells }),
      ...(options.capturePoints !== undefined && this.command.language === 'python'
        ? { capturePoints: options.capturePoints }
        : {}),
      ...(options.bundleCache !== undefined && this.command.language === 'node'
        ? { bundleCache: options.bundleCache }
        : {}),
    };
    this.clock = new TimeoutClock(options.timeoutMs ?? 0, () => {
      this.error(
        'timeout',
        `script did not finish within ${(options.timeoutMs ?? 0) / 1000} s and was stopped`,
      );
      this.result.endedAt = Date.now();
      this.kill();
    });
    const done = new Promise<RunResult>((resolve) => (this.resolve = resolve));
    this.handle = this.makeHandle(done);
    this.start();
  }

  private makeHandle(done: Promise<RunResult>): RunHandle {
    const pid = (): number | null =>
      this.result.runtime !== null && this.child !== null ? (this.child.pid ?? null) : null;
    return {
      done,
      cancel: () => {
        if (!this.finished) this.result.cancelled = true;
        this.kill();
      },
      requestCapture: () => this.channel?.send({ type: 'capture/request' }),
      pause: () => !this.clock.paused && this.tell({ type: 'run/pause' }) && this.clock.pause(),
      resume: () => this.clock.paused && this.tell({ type: 'run/resume' }) && this.clock.resume(),
      get pid() {
        return pid();
      },
    };
  }

  private start(): void {
    const spare = this.options.spare?.take(this.command.key) ?? null;
    const req = this.command.requires;
    if (spare === null && req !== null && !existsSync(req.path)) {
      this.failToStart(req.missing);
      return;
    }
    let child: ChildProcess;
    try {
      // The child changes to the script's folder itself, so a spare started anywhere serves.
      child = spare?.child ?? spawnChild(this.command, this.runOptions.cwd);
    } catch (e) {
      this.failToStart(`could not start ${this.command.command}: ${(e as Error).message}`);
      return;
    }
    this.child = child;
    this.channel = new HostChannel(child, {
      message: (m) => this.receive(m),
      problem: (text) => this.error('protocol', text),
    });
    this.pipeOutput(child);
    child.on('error', (e) => this.onSpawnError(e));
    // The script ended: what it forked ends with it (stdio would otherwise stay open).
    child.on('exit', () => killTree(child));
    // 'close' waits for stdio to drain, so the last lines of output are not lost.
    child.on('close', (code, signal) => this.finish(code, signal));
    // As if it had just arrived: after launchRunner returns, so handlers can use the handle.
    const hello = spare?.hello ?? null;
    if (hello !== null) process.nextTick(() => this.receive(hello));
    this.timers.push(setTimeout(() => this.helloOverdue(), HELLO_TIMEOUT_MS));
    if (this.options.maxMemoryMb !== undefined && child.pid !== undefined)
      this.watchMemory(child.pid, this.options.maxMemoryMb);
    this.clock.start();
  }

  private pipeOutput(child: ChildProcess): void {
    const { stdout, stderr } = child;
    if (stdout === null || stderr === null) throw new Error('the child was started without pipes');
    stdout.setEncoding('utf8');
    stderr.setEncoding('utf8');
    stdout.on('data', (t: string) => this.handlers.onStdout?.(t));
    stderr.on('data', (t: string) => {
      this.stderrTail = (this.stderrTail + t).slice(-4000);
      this.handlers.onStderr?.(t);
    });
  }

  private onSpawnError(e: NodeJS.ErrnoException): void {
    const what = e.code === 'ENOENT' ? `${this.command.command} was not found` : e.message;
    this.error(
      'launch',
      this.command.language === 'python'
        ? `could not start Python: ${what}; choose the interpreter with --python PATH (CLI) or the setting gradlens.python.path (VS Code)`
        : `runner process error: ${what}`,
    );
    this.kill();
  }

  private helloOverdue(): void {
    if (this.result.runtime !== null) return;
    this.error('protocol', 'runner did not say hello');
    this.kill();
  }

  private receive(m: ChildMessage): void {
    const r = this.result;
    switch (m.type) {
      case 'hello':
        if (m.protocol !== PROTOCOL_VERSION) {
          this.error(
            'protocol',
            `runner speaks protocol ${m.protocol}, host expects ${PROTOCOL_VERSION}`,
          );
          this.kill();
          return;
        }
        r.runtime = m.runtime;
        this.channel?.send({
          type: 'run/start',
          protocol: PROTOCOL_VERSION,
          options: this.runOptions,
        });
        break;
      case 'graph/snapshot':
        // The Python tracer sends graphs whole; the size limit is applied here, as the Node runner does.
        if (r.runtime?.language === 'python')
          m = { ...m, snapshot: limitPythonSnapshot(m.snapshot, this.runOptions.maxNodes) };
        (m.snapshot.stop === undefined ? r.snapshots : r.stops).push(m.snapshot);
        break;
      case 'train/metrics':
        // No spread: a batch from a long synchronous loop can exceed the argument limit.
        for (const metric of m.metrics) {
          if (r.metrics.length >= MAX_ROWS) r.metricWidth = thinMetrics(r.metrics, r.metricWidth);
          r.metrics.push(metric);
        }
        if (m.stride !== undefined) r.metricStride = m.stride;
        break;
      case 'run/error':
        r.errors.push(this.namingInterpreter(m.error));
        break;
      case 'run/notice':
        r.notices.push(m.notice);
        break;
      case 'run/done':
        this.sawDone = true;
        r.backwardCount = m.backwardCount;
        r.capturePoints = m.capturePoints ?? [];
        r.endedAt = Date.now();
        break;
      case 'run/paused':
      case 'run/resumed':
        break;
      default:
        assertNever(m, 'message');
    }
    if (r.runtime === null) return;
    try {
      this.handlers.onMessage?.(m);
    } catch (e) {
      this.error('crash', `the host failed to handle a ${m.type} message: ${(e as Error).message}`);
    }
  }

  /** A Python launch error names the interpreter as the user chose it (a wrapper script's name, not the python it runs). */
  private namingInterpreter(e: RunError): RunError {
    if (
      this.command.language !== 'python' ||
      e.kind !== 'launch' ||
      e.message.includes(this.command.command)
    )
      return e;
    return { ...e, message: `${e.message} [interpreter: ${this.command.command}]` };
  }

  /**
   * The child's resident size against the cap (Linux, /proc): a Node child's tensor storage
   * lives outside its JS heap, and a Python child has no heap limit at all.
   */
  private watchMemory(pid: number, maxMemoryMb: number): void {
    const limitBytes = (maxMemoryMb + RSS_HEADROOM_MB) * 1024 * 1024;
    const statm = `/proc/${pid}/statm`;
    const poll = setInterval(() => {
      let rss: number;
      try {
        rss = Number(readFileSync(statm, 'utf8').split(' ')[1]) * 4096;
      } catch {
        clearInterval(poll);
        return;
      }
      if (rss > limitBytes) {
        this.overMemory = true;
        clearInterval(poll);
        this.kill();
      }
    }, 100);
    this.timers.push(poll);
  }

  /** Sends a control message to a child that is running and has said hello. */
  private tell(message: HostMessage): boolean {
    const c = this.child;
    if (this.finished || c === null || !running(c) || this.result.runtime === null) return false;
    this.channel?.send(message);
    return this.channel !== null;
  }

  private kill(): void {
    // Once the child has exited its group was ended (on 'exit'), and its id may be reused.
    if (this.child !== null && running(this.child)) killTree(this.child);
  }

  private error(kind: RunError['kind'], message: string): void {
    this.result.errors.push({ kind, message, stack: null, location: null });
  }

  private failToStart(message: string): void {
    this.error('launch', message);
    this.finish(null, null);
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.finished) return;
    this.finished = true;
    for (const t of this.timers) clearTimeout(t);
    this.clock.stop();
    const more = this.channel?.unreported() ?? null;
    if (more !== null) this.error('protocol', more);
    this.channel?.close();
    const r = this.result;
    r.exitCode = code;
    r.signal = signal;
    r.durationMs = Date.now() - this.started;
    r.endedAt ||= Date.now();
    const why = this.whyItEnded(code, signal);
    if (why !== null) r.errors.push(why);
    r.ok = this.sawDone && code === 0 && r.errors.length === 0;
    this.resolve(r);
  }

  /** The error that explains an end the child did not explain itself, or null. */
  private whyItEnded(code: number | null, signal: NodeJS.Signals | null): RunError | null {
    const r = this.result;
    const say = (kind: RunError['kind'], message: string): RunError => ({
      kind,
      message,
      stack: null,
      location: null,
    });
    if (r.errors.some((e) => e.kind === 'timeout' || e.kind === 'launch')) return null;
    if (
      this.overMemory ||
      /JavaScript heap out of memory|Reached heap limit|Allocation failed/.test(this.stderrTail)
    ) {
      const cap =
        this.options.maxMemoryMb === undefined
          ? 'the heap limit'
          : `the memory cap of ${this.options.maxMemoryMb} MB`;
      return say('memory', `script ran out of memory (exceeded ${cap}) and was stopped`);
    }
    if (this.sawDone || r.cancelled) return null;
    if (r.runtime === null && !r.errors.some((e) => e.kind === 'protocol')) {
      const tail = this.stderrTail.trim().split('\n').slice(-6).join('\n');
      const who =
        this.command.language === 'python'
          ? `${this.command.command} could not start the Gradlens tracer (it needs Python 3.8 or newer)`
          : 'the runner could not start';
      return say(
        'launch',
        `${who}: exited with ${signal ?? `code ${code}`}${tail ? `\n${tail}` : ''}`,
      );
    }
    if (r.errors.some((e) => e.kind !== 'protocol')) return null;
    // The child always says goodbye on its way out, unless its channel broke first.
    if (code === 0)
      return say(
        'crash',
        "the runner's channel closed before the run finished (did the script close file descriptor 3 or 4?); what was captured before that is kept",
      );
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
    return say('crash', `script ${how} before finishing`);
  }
}

/** The timeout counts running time only: a paused script is not using its budget. */
class TimeoutClock {
  private left: number;
  private readonly limited: boolean;
  private timer: NodeJS.Timeout | null = null;
  private since = 0;
  paused = false;

  constructor(
    limitMs: number,
    private readonly expire: () => void,
  ) {
    this.left = limitMs;
    this.limited = limitMs > 0;
  }

  start(): void {
    if (!this.limited) return;
    this.since = Date.now();
    this.timer = setTimeout(this.expire, this.left);
  }

  pause(): boolean {
    this.paused = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
      this.left = Math.max(0, this.left - (Date.now() - this.since));
    }
    return true;
  }

  resume(): boolean {
    this.paused = false;
    this.start();
    return true;
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
