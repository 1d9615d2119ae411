// `gradlens run --gradcheck` for real: the Q/P leaves and an nn.Sequential's parameters agree
// with central differences in float64; a custom Function with a wrong backward is caught, in
// TypeScript and in PyTorch (where the Function's own node is named); the JSON graph carries
// the result; Cancel ends a check's reruns.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunArgs, UsageError } from '../../src/cli/args';
import { checkGradients } from '../../src/cli/gradcheck';
import { validateSnapshot, type GraphSnapshot } from '../../src/protocol/messages';
import { CLI, FIXTURES, ROOT, ensureBuilt } from '../runner/helpers';

/** backward() #`index`'s graph with nothing in it: what a check is asked about, not what it reads. */
function emptySnapshot(index: number): GraphSnapshot {
  return {
    index,
    trigger: 'backward',
    nodes: [],
    outputs: [],
    anomalies: [],
    collapsed: false,
    detail: 'full',
  };
}

beforeAll(ensureBuilt);

function gradcheck(
  script: string,
  ...more: string[]
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'run', script, '--gradcheck', ...more], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 170_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('gradlens run --gradcheck', () => {
  it('agrees with central differences on Q/P: -384 and 96', () => {
    const r = gradcheck(path.join(FIXTURES, 'explain-qp.ts'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'gradcheck of backward() #1: gradients vs central differences in float64 (h = 0.000001), 5 runs of the script\n',
    );
    expect(r.stdout).toContain('  a: analytic -384, numerical -384, ok\n');
    expect(r.stdout).toContain('  b: analytic 96, numerical 96, ok\n');
    expect(r.stdout).toContain('all 2 checked gradients agree');
  });

  it('catches a custom Function whose backward is wrong', () => {
    const r = gradcheck(path.join(FIXTURES, 'gradcheck-wrong.ts'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/: analytic 8, numerical 12, DISAGREE\n/);
    expect(r.stdout).toContain(
      '  CubeBackward (its own function, on its recorded inputs):\n    grad_input 0: analytic 4, numerical 6, DISAGREE\n',
    );
    expect(r.stdout).toContain('2 of 2 checked gradients disagree');
  });

  it("checks nn.Linear's parameters, initialised as in the recorded run", () => {
    const r = gradcheck(path.join(ROOT, 'test', 'e2e', 'fixtures', 'mlp.ts'));
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('  '));
    expect(lines.length).toBeGreaterThan(8);
    expect(lines.every((l) => l.endsWith(', ok'))).toBe(true);
    expect(r.stdout).toMatch(
      / {2}0\.weight\[0, 1\]: analytic 0\.68985\d*, numerical 0\.68985\d*, ok/,
    );
  }, 180_000);

  it('checks a PyTorch script: a wrong custom backward is named, and the JSON graph has the result', () => {
    const json = path.join(mkdtempSync(path.join(tmpdir(), 'gl-gradcheck-')), 'g.json');
    const r = gradcheck(
      path.join(FIXTURES, 'gradcheck-wrong.py'),
      '--python',
      '/usr/bin/python3',
      '--graph',
      json,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ {2}x: analytic 12, numerical 18, DISAGREE\n/);
    expect(r.stdout).toMatch(/ {2}w: analytic 8, numerical 8, ok\n/);
    expect(r.stdout).toContain('  CubeBackward (its own function, on its recorded inputs):');
    const snapshot = validateSnapshot(JSON.parse(readFileSync(json, 'utf8')));
    expect(snapshot.gradcheck?.outcome).toBe('disagree');
    const ids = new Set(snapshot.nodes.map((n) => n.id));
    expect(snapshot.gradcheck?.nodes.every((n) => ids.has(n.node))).toBe(true);
  }, 180_000);

  it('refuses a later backward() without running the script, and says how to check #1', async () => {
    const later = emptySnapshot(2);
    const r = await checkGradients(later, { script: path.join(ROOT, 'does-not-exist.ts') });
    expect(r).toMatchObject({ outcome: 'unavailable', backward: 2, runs: 0 });
    expect(r.message).toContain('this graph is backward() #2');
    expect(r.message).toMatch(/run with --at 1 \(or show backward\(\) #1\) to check it$/);
  });

  it('refuses notebooks and --no-flow', () => {
    expect(parseRunArgs(['s.ts', '--gradcheck']).gradcheck).toBe(true);
    expect(parseRunArgs(['s.py', '--gradcheck']).gradcheck).toBe(true);
    expect(() => parseRunArgs(['s.ipynb', '--gradcheck'])).toThrow(UsageError);
    expect(() => parseRunArgs(['s.ts', '--gradcheck', '--no-flow'])).toThrow(UsageError);
  });
});

describe('cancelling a gradient check', () => {
  const snapshot = emptySnapshot(1);
  // Scripts that never reach their backward(): only Cancel (or the run timeout) ends them.
  it.each([
    ['never.ts', 'while (Date.now() > 0) {}\n', undefined],
    ['never.py', 'import time\nimport torch\ntime.sleep(600)\n', '/usr/bin/python3'],
  ])(
    'ends the reruns of %s and says the check was cancelled',
    async (name, text, python) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'gl-gradcheck-cancel-'));
      const script = path.join(dir, name);
      writeFileSync(script, text);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 2000);
      const r = await checkGradients(snapshot, {
        script,
        cwd: dir,
        python,
        signal: controller.signal,
      });
      expect(r).toMatchObject({ outcome: 'unavailable', message: 'the check was cancelled' });
    },
    60_000,
  );
});
