// Starting and ending a runner child: the Node runner for .ts/.js scripts, the user's python
// with the `gradlens` tracer for .py. Both get the same stdio: no stdin, the script's own
// stdout and stderr, and the channel on fds 3 (child -> host) and 4 (host -> child). The
// child leads a process group of its own, so ending a run ends whatever the script started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export type RunnerLanguage = 'node' | 'python';

/** How to start one kind of runner child; `key` tells whether a waiting child suits a run. */
export interface ChildCommand {
  readonly language: RunnerLanguage;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly key: string;
  /** What must exist before starting, with what to say when it does not. */
  readonly requires: { path: string; missing: string } | null;
}

/** The runner that runs `script`: python for .py and notebooks (.ipynb), Node otherwise. */
export function languageOf(script: string): RunnerLanguage {
  return /\.(py|ipynb)$/i.test(script) ? 'python' : 'node';
}

/** The root of the gradlens package (dist/, python/), found from wherever this module was bundled or loaded. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const { name } = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown };
        if (name === 'gradlens') return dir;
      } catch {
        // not our package.json; keep walking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return path.join(__dirname, '..', '..');
    dir = up;
  }
}

/** dist/runner/child.cjs of this package. */
export function defaultChildPath(): string {
  return path.join(packageRoot(), 'dist', 'runner', 'child.cjs');
}

const CHANNEL = '3:4';

/** Node's heap settings for the runner's child (the bench's one-process run uses them too). */
export const RUNNER_HEAP_FLAGS = ['--max-semi-space-size=4'];

/**
 * The V8 flag that gives the script WebAssembly relaxed SIMD where its runtime has it only
 * behind one: Node 20 (V8 11.3). The engine's matmul then fuses its multiply-adds
 * (src/engine/wasm/relaxed-simd.ts; W4 in bench/README.md). Later V8s ship it, and one that
 * no longer knew the flag would refuse to start, so it is given to V8 11.0-11.3 only.
 */
export function relaxedSimdFlags(v8Version: string = process.versions.v8): string[] {
  const [major, minor] = v8Version.split('.').map(Number);
  return major === 11 && minor < 4 ? ['--experimental-wasm-relaxed-simd'] : [];
}

export function nodeCommand(childPath: string, maxMemoryMb: number | undefined): ChildCommand {
  // --max-semi-space-size: a young generation of at most 2x4 MB instead of 2x16 MB. A script
  // that keeps most of what it allocates (a long autograd chain, as bench W5) otherwise grows
  // it to the full 32 MB on top of what it keeps; training steps, whose garbage dies young,
  // run as fast with it (bench/README.md).
  const args = [
    '--enable-source-maps',
    '--stack-size=4000',
    ...RUNNER_HEAP_FLAGS,
    ...relaxedSimdFlags(),
  ];
  if (maxMemoryMb !== undefined)
    args.push(`--max-old-space-size=${Math.max(16, Math.floor(maxMemoryMb))}`);
  args.push(childPath);
  return {
    language: 'node',
    command: process.execPath,
    args,
    env: { ...process.env, NODE_OPTIONS: '', GRADLENS_CHANNEL: CHANNEL },
    key: JSON.stringify(['node', args]),
    requires: {
      path: childPath,
      missing: `runner not built: ${childPath} is missing (run npm run build)`,
    },
  };
}

/** The tracer package sits in `python/` beside dist/; the user's script keeps its own sys.path[0]. */
export function pythonCommand(
  python: string,
  packageDir = path.join(packageRoot(), 'python'),
): ChildCommand {
  const pythonPath = [packageDir, process.env.PYTHONPATH]
    .filter((p) => p !== undefined && p !== '')
    .join(path.delimiter);
  return {
    language: 'python',
    command: python,
    args: ['-m', 'gradlens.runner'],
    env: {
      ...process.env,
      PYTHONPATH: pythonPath,
      PYTHONUNBUFFERED: '1',
      PYTHONIOENCODING: 'utf-8',
      GRADLENS_CHANNEL: CHANNEL,
    },
    key: JSON.stringify(['python', python, packageDir]),
    requires: {
      path: path.join(packageDir, 'gradlens', 'runner.py'),
      missing: `the Python tracer is missing from ${packageDir}`,
    },
  };
}

/** Starts a runner child; throws if it cannot be started at all. */
export function spawnChild(c: ChildCommand, cwd?: string): ChildProcess {
  return spawn(c.command, c.args as string[], {
    cwd,
    env: c.env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    // Its own process group (POSIX), so killTree reaches the processes the script forked.
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
}

/**
 * Ends the child and every process it started: its process group on POSIX, its process tree
 * on Windows (which has no groups to signal). A script that ignores SIGTERM is no obstacle.
 */
export function killTree(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], {
        windowsHide: true,
        stdio: 'ignore',
        timeout: 10_000,
      });
    } else {
      process.kill(-pid, 'SIGKILL');
      return;
    }
  } catch {
    // The group is gone already, or the child never became its leader: kill the child alone.
  }
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Whether `child` is still running (it has not exited or been killed). */
export function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
