// `gradlens run --explain` for real: the backward pass of the seed's Q/P example and of a
// leaf used twice, as lines with the chain rule's numbers; and the flow flags.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunArgs, UsageError } from '../../src/cli/args';
import { CLI, FIXTURES, ROOT, ensureBuilt } from '../runner/helpers';

beforeAll(ensureBuilt);

function gradlens(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('gradlens run --explain', () => {
  it('prints the Q/P backward pass step by step with its numbers', () => {
    const r = gradlens(['run', path.join(FIXTURES, 'explain-qp.ts'), '--explain']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      'backward() #1 of explain-qp.ts: 6 steps, in the order the engine ran them',
    );
    const steps = lines.filter((l) => l.startsWith('step '));
    expect(steps.map((l) => l.split('   ')[0])).toEqual([
      'step 1: PowBackward0 at explain-qp.ts:8',
      'step 2: SubBackward0 at explain-qp.ts:7',
      'step 3: MulBackward0 at explain-qp.ts:7',
      'step 4: AccumulateGrad of b',
      'step 5: PowBackward0 at explain-qp.ts:7',
      'step 6: AccumulateGrad of a',
    ]);
    expect(r.stdout).toContain('  received grad = 1 (the seed: dP/dP)\n');
    expect(r.stdout).toContain(
      '  -> SubBackward0 as self: grad * exponent * self^(exponent - 1) = -32 (= 1 * -32)\n',
    );
    expect(r.stdout).toContain(
      '  -> MulBackward0 as other: -grad * alpha (summed over broadcast dimensions) = 32 (= -32 * -1)\n',
    );
    expect(r.stdout).toContain('  -> AccumulateGrad of b as self: grad * other = 96 (= 32 * 3)\n');
    expect(r.stdout).toContain('  -- other needs no gradient\n');
    expect(r.stdout).toContain('  self = 2, result = 8\n');
    expect(r.stdout).toContain(
      '  -> AccumulateGrad of a as self: grad * exponent * self^(exponent - 1) = -384 (= -32 * 12)\n',
    );
    expect(r.stdout).toContain('  b.grad: None -> 96\n');
    expect(r.stdout).toContain('  a.grad: None -> -384\n');
  });

  it('shows the sum where a leaf is reached along several edges', () => {
    const r = gradlens(['run', path.join(FIXTURES, 'explain-fan-in.ts'), '--explain']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '  received grad = 7 = 1 from AddBackward0 (step 1) as other + 3 from MulBackward0 (step 2) as self + 3 from MulBackward0 (step 2) as other\n',
    );
    expect(r.stdout).toContain('  a.grad: None -> 7\n');
  });

  it('explains CopySlices, the base of a view written in place, by its own rule', () => {
    const r = gradlens(['run', path.join(FIXTURES, 'explain-copy-slices.ts'), '--explain']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "step 2: CopySlices at explain-copy-slices.ts:8   base[view] = op(base[view], ...) (an in-place op on a view rewrote the base's history)\n",
    );
    expect(r.stdout).toContain('  -> AccumulateGrad of w as other: ');
    expect(r.stdout).toContain('  received grad = [3, 1] from CopySlices (step 2) as base\n');
    expect(r.stdout).not.toContain('CopySlices turns the gradient');
  });

  it('says so, and fails, when the flow was not recorded', () => {
    const r = gradlens([
      'run',
      path.join(FIXTURES, 'long-chain.ts'),
      '--explain',
      '--max-nodes',
      '5000',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('its flow was not recorded');
  });

  it('takes --flow and --no-flow, and refuses --explain without flow', () => {
    expect(parseRunArgs(['s.ts']).flow).toBe('auto');
    expect(parseRunArgs(['s.ts', '--flow']).flow).toBe('always');
    expect(parseRunArgs(['s.ts', '--no-flow']).flow).toBe('never');
    expect(() => parseRunArgs(['s.ts', '--explain', '--no-flow'])).toThrow(UsageError);
  });
});
