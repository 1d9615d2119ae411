// The backward flow recorded by the runner (NodeFlow): the seed's Q/P numbers the issue's
// hand computation gives, sums where a leaf is reached twice, the size limit of 'auto', and
// the policy passed through RunOptions.
import { beforeAll, describe, expect, it } from 'vitest';
import { launchRunner, type LaunchOptions } from '../../src/runner/launch';
import {
  FLOW_AUTO_MAX_NODES,
  decodeNum,
  type GraphNode,
  type GraphSnapshot,
  type TensorSummary,
} from '../../src/protocol/messages';
import { backwardSteps } from '../../src/explain/steps';
import { FIXTURES, ensureBuilt } from './helpers';

beforeAll(ensureBuilt);

async function snapshotOf(
  script: string,
  options: Partial<LaunchOptions> = {},
): Promise<GraphSnapshot> {
  // No size limit: a collapsed graph would fold the chain below into one group node.
  const r = await launchRunner({
    script,
    cwd: FIXTURES,
    timeoutMs: 30_000,
    maxNodes: 50_000,
    ...options,
  }).done;
  expect(r.errors).toEqual([]);
  expect(r.snapshots.length).toBe(1);
  return r.snapshots[0];
}

/** The exact values of a recorded gradient (null stays null). */
function vals(t: TensorSummary | null | undefined): number[] | null {
  if (t === null || t === undefined) return null;
  expect(t.values).toBeDefined();
  return t.values!.map(decodeNum);
}

function byName(s: GraphSnapshot, name: string): GraphNode[] {
  return s.nodes.filter((n) => n.name === name);
}

describe('backward flow', () => {
  it('holds the Q/P numbers: dP/da = 2Q * 3a^2 = -384, dP/db = 96 at a = 2, b = 8', async () => {
    const s = await snapshotOf('explain-qp.ts');
    expect(s.flowRecorded).toBe(true);
    const [powP, powA] = byName(s, 'PowBackward0').sort((x, y) => y.sequenceNr - x.sequenceNr);
    const sub = byName(s, 'SubBackward0')[0];
    const mul = byName(s, 'MulBackward0')[0];
    expect(vals(powP.flow!.gradOutputs[0])).toEqual([1]);
    expect(powP.flow!.gradInputs.map(vals)).toEqual([[-32]]);
    expect(vals(sub.flow!.gradOutputs[0])).toEqual([-32]);
    expect(sub.flow!.gradInputs.map(vals)).toEqual([[-32], [32]]);
    expect(powA.flow!.gradInputs.map(vals)).toEqual([[-384]]);
    expect(mul.flow!.gradInputs.map(vals)).toEqual([[96], null]);
    const leaf = (name: string): GraphNode => {
      const l = s.nodes.find((n) => n.kind === 'leaf' && n.name === name)!;
      return s.nodes.find((n) => n.id === l.attachedTo)!;
    };
    expect(vals(leaf('a').flow!.gradOutputs[0])).toEqual([-384]);
    expect(leaf('a').flow!.gradBefore).toBeNull();
    expect(vals(leaf('a').flow!.gradAfter)).toEqual([-384]);
    expect(vals(leaf('b').flow!.gradAfter)).toEqual([96]);
    // PyTorch's order: the ready node with the highest sequence number runs first, and an
    // AccumulateGrad as soon as it is ready.
    expect(backwardSteps(s).map((st) => st.node.name)).toEqual([
      'PowBackward0',
      'SubBackward0',
      'MulBackward0',
      'torch::autograd::AccumulateGrad',
      'PowBackward0',
      'torch::autograd::AccumulateGrad',
    ]);
    // The gradient a function node received is also its `grad`, as without flow.
    expect(vals(sub.grad)).toEqual([-32]);
  });

  it('shows the sum where a leaf is reached along several edges (a used twice)', async () => {
    const s = await snapshotOf('explain-fan-in.ts');
    const acc = byName(s, 'torch::autograd::AccumulateGrad')[0];
    const step = backwardSteps(s).find((st) => st.node === acc)!;
    expect(step.contributions.map((c) => [c.from.name, c.slot, vals(c.grad)])).toEqual([
      ['AddBackward0', 1, [1]],
      ['MulBackward0', 0, [3]],
      ['MulBackward0', 1, [3]],
    ]);
    expect(vals(step.received)).toEqual([7]);
    expect(vals(acc.flow!.gradAfter)).toEqual([7]);
  });

  it('records a leaf reached by autograd.grad without an after (nothing is added to .grad)', async () => {
    const s = await snapshotOf('explain-grad.ts');
    const acc = byName(s, 'torch::autograd::AccumulateGrad')[0];
    expect(vals(acc.flow!.gradOutputs[0])).toEqual([4]);
    expect(acc.flow!.gradAfter).toBeNull();
  });

  it(`'auto' records graphs up to ${FLOW_AUTO_MAX_NODES} nodes, 'always' any, 'never' none`, async () => {
    const justUnder = await snapshotOf('long-chain.ts', {
      args: [String(FLOW_AUTO_MAX_NODES - 1)],
    });
    expect(justUnder.flowRecorded).toBe(true);
    expect(justUnder.nodes.filter((n) => n.flow !== undefined).length).toBe(FLOW_AUTO_MAX_NODES);
    const over = await snapshotOf('long-chain.ts', { args: [String(FLOW_AUTO_MAX_NODES)] });
    expect(over.flowRecorded).toBeUndefined();
    expect(over.nodes.some((n) => n.flow !== undefined)).toBe(false);
    // The gradients that reached the nodes are still there, taken by hooks instead.
    expect(over.nodes.find((n) => n.kind === 'function')!.grad).not.toBeNull();
    const always = await snapshotOf('long-chain.ts', {
      args: [String(FLOW_AUTO_MAX_NODES)],
      flow: 'always',
    });
    expect(always.flowRecorded).toBe(true);
    const never = await snapshotOf('explain-qp.ts', { flow: 'never' });
    expect(never.flowRecorded).toBeUndefined();
    expect(never.nodes.some((n) => n.flow !== undefined)).toBe(false);
  });

  it('names the output of a multi-output node each edge leaves from (chunk)', async () => {
    const s = await snapshotOf('chunk-pieces.ts');
    const [split] = byName(s, 'SplitBackward0');
    const into = (name: string) =>
      byName(s, name)[0].next.map((e) => (e === null ? null : [e.id === split.id, e.inputNr]));
    expect(into('MulBackward0')).toEqual([
      [true, 0],
      [true, 2],
    ]);
    expect(into('AddBackward0')[1]).toEqual([true, 1]);
    expect(vals(split.flow!.gradInputs[0])).toEqual([4, 5, 1, 1, 0, 1]);
  });
});
