// The bench harness (`npm run bench`) end to end in --quick mode on small workloads: every
// peer runs in its own real child process and the table comes out with all its columns and targets.
// Timings are printed, never asserted.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relaxedSimdFlags } from '../../src/runner/child-process';

const root = join(__dirname, '..', '..');
const runBench = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--expose-gc', join(root, 'bench', 'run.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });

/** The cells of the Markdown table row whose first cell starts with `prefix`. */
function row(table: string, prefix: string): string[] | undefined {
  const line = table.split('\n').find((l) => l.startsWith(`| ${prefix}`));
  return line
    ?.split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

const COLUMNS = [
  'Gradlens',
  'Gradlens 1 thread',
  'Gradlens TS fallback',
  'tfjs-cpu',
  'tfjs-wasm',
  'PyTorch (1 thread)',
  'PyTorch (2 threads)',
];

describe('bench harness', () => {
  it('prints one table with every peer as a column in --quick mode', () => {
    const r = runBench(['--quick', '--only', 'W3']);
    expect(r.status, r.stderr).toBe(0);
    const header = row(r.stdout, 'Workload');
    expect(header).toEqual(['Workload', 'Unit', ...COLUMNS, 'Target (Gradlens)']);
    const w3 = row(r.stdout, 'W3');
    expect(w3, r.stdout).toBeDefined();
    expect(w3).toHaveLength(header!.length);
    // The Gradlens columns always run; a peer may be skipped on a machine without it, but none may error.
    for (const cell of w3!.slice(2, 5)) expect(cell).toMatch(/^\d+(\.\d+)?$/);
    for (const cell of w3!.slice(5, 9)) expect(cell).toMatch(/^(\d+(\.\d+)?|skipped \[\d+\])$/);
    // Issue 6's bound and issue 2's relative target share the cell.
    expect(w3![9]).toMatch(
      /^<= 150 ms: \*\*(met|NOT met)\*\*; faster than PyTorch: \*\*(met|NOT met|n\/a)\*\*/,
    );
    expect(r.stdout).toMatch(/^Machine: .+, \d+ cores, Node v\d+/m);
    expect(r.stdout).toMatch(/Targets met: \d of 2/);
    // Only the workload asked for ran.
    expect(row(r.stdout, 'W1')).toBeUndefined();
    // Eight peers, each in its own child process, and the one-process run after them.
  }, 120_000);

  it('runs each Gradlens column under its own engine settings, whatever the shell exported', () => {
    // The shell's GRADLENS_NO_WASM must not reach the default column.
    const r = runBench(
      ['--quick', '--only', 'W5', '--peers', 'gradlens,gradlens-1thread,gradlens-ts'],
      { GRADLENS_NO_WASM: '1', GRADLENS_THREADS: '7' },
    );
    expect(r.status, r.stderr).toBe(0);
    // The header reports the settings and the Node flags (the runner's) each child process saw.
    const flags = [
      'node --enable-source-maps --stack-size=4000 --max-semi-space-size=4',
      ...relaxedSimdFlags(),
    ].join(' ');
    expect(r.stdout).toContain(
      `Peers: Gradlens = gradlens (dist/engine), engine defaults, ${flags}; ` +
        `Gradlens 1 thread = gradlens (dist/engine), GRADLENS_THREADS=1, ${flags}; ` +
        `Gradlens TS fallback = gradlens (dist/engine), GRADLENS_NO_WASM=1, GRADLENS_THREADS=1, ${flags}; tfjs-cpu = not run;`,
    );
  });

  it('checks W4 against the 1-thread column and the other targets against the default column', () => {
    const oneThread = runBench(['--quick', '--only', 'W4,W5', '--peers', 'gradlens-1thread']);
    expect(oneThread.status, oneThread.stderr).toBe(0);
    expect(row(oneThread.stdout, 'W4 128x128 matmul forward ')![9]).toMatch(
      /^>= 40 GFLOP\/s on 1 thread: \*\*(met|NOT met)\*\*; >= 90 GFLOP\/s on 2 threads: \*\*n\/a\*\* \(peer missing\)$/,
    );
    expect(row(oneThread.stdout, 'W4 128x128 matmul forward+backward')![9]).toMatch(
      /^>= 35 GFLOP\/s on 1 thread: \*\*(met|NOT met)\*\*; >= 90 GFLOP\/s on 2 threads: \*\*n\/a\*\* \(peer missing\)$/,
    );
    expect(row(oneThread.stdout, 'W5 2,000-op chain: peak RSS')![9]).toBe(
      '<= 150 MB: **n/a** (peer missing)',
    );

    const byDefault = runBench(['--quick', '--only', 'W4,W5', '--peers', 'gradlens']);
    expect(byDefault.status, byDefault.stderr).toBe(0);
    expect(row(byDefault.stdout, 'W4 128x128 matmul forward ')![9]).toMatch(
      /^>= 40 GFLOP\/s on 1 thread: \*\*n\/a\*\* \(peer missing\); >= 90 GFLOP\/s on 2 threads: \*\*(met|NOT met)\*\*$/,
    );
    expect(row(byDefault.stdout, 'W5 2,000-op chain: build')![9]).toMatch(
      /^<= 1 µs\/op: \*\*(met|NOT met)\*\*$/,
    );
    expect(row(byDefault.stdout, 'W5 2,000-op chain: peak RSS')![9]).toMatch(
      /^<= 150 MB: \*\*(met|NOT met)\*\*$/,
    );
    expect(byDefault.stdout).toMatch(/Targets met: \d of 7 \(2 not checkable: peer missing\)/);
    // W4's share of the machine's ceiling, measured in the same run.
    expect(byDefault.stdout).toMatch(
      /W4's ceiling on this machine .*: [\d.]+ GFLOP\/s on one thread, [\d.]+ on two\. W4 on "Gradlens" is \d+ % of the two threads' figure forward and \d+ % forward\+backward/,
    );
    expect(oneThread.stdout).toMatch(/on two\. W4 on "Gradlens" did not run \(/);
  });

  it('holds W1 to PyTorch on 2 threads for the default column and on 1 thread for the 1-thread column', () => {
    const r = runBench(['--quick', '--only', 'W1', '--peers', 'gradlens-1thread,torch']);
    expect(r.status, r.stderr).toBe(0);
    expect(row(r.stdout, 'W1')![9]).toMatch(
      new RegExp(
        '^>= 250 steps/s: \\*\\*n/a\\*\\* \\(peer missing\\); ' +
          '>= 3x tfjs-cpu: \\*\\*n/a\\*\\* \\(peer missing\\); ' +
          '>= PyTorch \\(2 threads\\): \\*\\*n/a\\*\\* \\(peer missing\\); ' +
          '>= 0.8x PyTorch on 1 thread: \\*\\*(met|NOT met)\\*\\* \\([\\d.]+x\\)$',
      ),
    );
    // PyTorch's 1-thread column holds OpenBLAS to one thread too (it would take every core).
    if (!/PyTorch \(1 thread\) = not run/.test(r.stdout))
      expect(r.stdout).toMatch(
        /PyTorch \(1 thread\) = torch [^;,]*, 1 thread( \(OpenBLAS 1\))?, BLAS/,
      );
  });

  it('shows a peer whose runtime is missing as skipped and still prints the table', () => {
    const r = runBench(['--quick', '--only', 'W2', '--peers', 'gradlens,torch'], {
      GRADLENS_BENCH_PYTHON: '/nonexistent/python3',
    });
    expect(r.status, r.stderr).toBe(0);
    const w2 = row(r.stdout, 'W2');
    expect(w2![2]).toMatch(/^\d+(\.\d+)?$/);
    expect(w2![7]).toBe('skipped [1]');
    expect(w2![8]).toBe('not run');
    expect(w2![9]).toMatch(
      /^<= 35 µs: \*\*(met|NOT met)\*\*; faster than PyTorch: \*\*n\/a\*\* \(peer missing\)$/,
    );
    expect(r.stdout).toContain('[1] /nonexistent/python3 not found');
  });

  it('rejects an unknown workload with a clear message', () => {
    const r = runBench(['--quick', '--only', 'W9']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      '--only takes a comma-separated list of W1, W2, W3, W4, W5, W6 (got W9)',
    );
    expect(r.stdout).toBe('');
  });
});
