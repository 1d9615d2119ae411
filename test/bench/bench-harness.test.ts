// The bench harness (`npm run bench`) end to end in --quick mode on one small workload: every
// peer runs in its own real child process and the table comes out with all its columns.
// Timings are printed, never asserted.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
  return line?.split('|').slice(1, -1).map((c) => c.trim());
}

describe('bench harness', () => {
  it('prints one table with every peer as a column in --quick mode', () => {
    const r = runBench(['--quick', '--only', 'W3']);
    expect(r.status, r.stderr).toBe(0);
    const header = row(r.stdout, 'Workload');
    expect(header).toEqual(['Workload', 'Unit', 'Gradlens', 'tfjs-cpu', 'tfjs-wasm', 'PyTorch (1 thread)', 'Target (Gradlens)']);
    const w3 = row(r.stdout, 'W3');
    expect(w3, r.stdout).toBeDefined();
    expect(w3).toHaveLength(header!.length);
    // Gradlens always runs; a peer may be skipped on a machine without it, but none may error.
    expect(w3![2]).toMatch(/^\d+(\.\d+)?$/);
    for (const cell of w3!.slice(3, 6)) expect(cell).toMatch(/^(\d+(\.\d+)?|skipped \[\d+\])$/);
    expect(w3![6]).toMatch(/^faster than PyTorch: \*\*(met|NOT met|n\/a)\*\*/);
    expect(r.stdout).toMatch(/^Machine: .+, \d+ cores, Node v\d+/m);
    expect(r.stdout).toMatch(/Targets met: \d of 1/);
    // Only the workload asked for ran.
    expect(row(r.stdout, 'W1')).toBeUndefined();
  });

  it('shows a peer whose runtime is missing as skipped and still prints the table', () => {
    const r = runBench(['--quick', '--only', 'W2', '--peers', 'gradlens,torch'], { GRADLENS_BENCH_PYTHON: '/nonexistent/python3' });
    expect(r.status, r.stderr).toBe(0);
    const w2 = row(r.stdout, 'W2');
    expect(w2![2]).toMatch(/^\d+(\.\d+)?$/);
    expect(w2![5]).toBe('skipped [1]');
    expect(w2![6]).toContain('**n/a**');
    expect(r.stdout).toContain('[1] /nonexistent/python3 not found');
  });

  it('rejects an unknown workload with a clear message', () => {
    const r = runBench(['--quick', '--only', 'W9']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--only takes a comma-separated list of W1, W2, W3, W4, W5 (got W9)');
    expect(r.stdout).toBe('');
  });
});
