// Intermediate tensors are named after the variables of the user's source, as agtree2dot's
// labels dict names them: the runner run for real on test/fixtures/scripts/var-names.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { launchRunner } from '../../src/runner/launch';
import type { GraphNode, GraphSnapshot } from '../../src/protocol/messages';
import { FIXTURES, ensureBuilt } from './helpers';

beforeAll(ensureBuilt);

async function snapshotOf(script: string): Promise<GraphSnapshot> {
  const h = launchRunner({ script, cwd: FIXTURES, timeoutMs: 30_000 }, {});
  const r = await h.done;
  expect(r.ok).toBe(true);
  return r.snapshots[0];
}

/** The node `n` takes input `slot` from. */
function input(s: GraphSnapshot, n: GraphNode, slot: number): GraphNode {
  return s.nodes.find((m) => m.id === n.next[slot]!.id)!;
}

describe('intermediate tensors named from the source', () => {
  it('names Q = a**3 - 3b on its SubBackward0 and P = Q**2 on its PowBackward0', async () => {
    const s = await snapshotOf('var-names.ts');
    const out = s.nodes.find((n) => n.kind === 'output')!;
    const add = s.nodes.find((n) => n.id === out.attachedTo)!;
    expect([add.name, add.varName]).toEqual(['AddBackward0', 'total']);
    const pow = input(s, add, 0);
    expect([pow.name, pow.varName]).toEqual(['PowBackward0', 'P']);
    const sub = input(s, pow, 0);
    expect([sub.name, sub.varName]).toEqual(['SubBackward0', 'Q']);
    // Unnamed intermediates (a.pow(3), b.mul(3)) get no name.
    expect(input(s, sub, 0).varName).toBeUndefined();
    expect(input(s, sub, 1).varName).toBeUndefined();
  });

  it('gives a name reassigned in a loop or shadowed by a later assignment to its last tensor only', async () => {
    const s = await snapshotOf('var-names.ts');
    const out = s.nodes.find((n) => n.kind === 'output')!;
    const add = s.nodes.find((n) => n.id === out.attachedTo)!;
    // y = y.mul(2).tanh() over y = h.add(1): the tanh is y, the first y is not.
    const tanh = input(s, add, 1);
    expect([tanh.name, tanh.varName]).toEqual(['TanhBackward0', 'y']);
    const mul = input(s, tanh, 0);
    expect([mul.name, mul.varName]).toEqual(['MulBackward0', undefined]);
    const firstY = input(s, mul, 0);
    expect([firstY.name, firstY.varName]).toEqual(['AddBackward0', undefined]);
    // h = h.mul(b) three times: only the third MulBackward0 is h.
    const muls: GraphNode[] = [];
    for (let n = input(s, firstY, 0); n.name === 'MulBackward0'; n = input(s, n, 0)) muls.push(n);
    expect(muls.map((n) => n.varName)).toEqual(['h', undefined, undefined]);
    expect(s.nodes.filter((n) => n.varName === 'h')).toHaveLength(1);
  });

  it("names no node inside one call after that call's arguments (model(x), a loss)", async () => {
    const s = await snapshotOf('var-names-module.ts');
    const named = s.nodes.filter((n) => n.varName !== undefined);
    expect(named.map((n) => [n.name, n.varName])).toEqual([
      ['MseLossBackward0', 'loss'],
      ['AddmmBackward0', 'out'],
    ]);
  });

  it('names destructured leaves after their variables, not the parameters they are used under', async () => {
    const s = await snapshotOf('var-names-destructuring.ts');
    const leaves = s.nodes.filter((n) => n.kind === 'leaf').map((n) => n.name);
    expect(leaves.sort()).toEqual(['b', 'bias', 'u', 'v', 'w', 'weight']);
    // The names sit on the right tensors: p's gradient is x, q's is ones.
    const grad = (name: string): unknown =>
      s.nodes.find((n) => n.kind === 'leaf' && n.name === name)!.grad?.first;
    for (const name of ['w', 'weight', 'u']) expect(grad(name), name).toEqual([1, 2, 3]);
    for (const name of ['b', 'bias', 'v']) expect(grad(name), name).toEqual([1, 1, 1]);
  });
});
