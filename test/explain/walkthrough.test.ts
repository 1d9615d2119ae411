// The step-through's data on real runs: the order of the steps, what each step marks on the
// drawing (the running node, those before and after it, the edges' gradients), the numbers of
// a fan-in's sum, and labels that land on edges the drawing really has.
import { beforeAll, describe, expect, it } from 'vitest';
import { graphEdges } from '../../src/graph/edges';
import { edgeKey, edgeText, stepMarks, walkthrough } from '../../src/explain/walkthrough';
import { launchRunner } from '../../src/runner/launch';
import type { GraphSnapshot, TensorSummary } from '../../src/protocol/messages';
import { FIXTURES, ensureBuilt } from '../runner/helpers';

beforeAll(ensureBuilt);

async function snapshotOf(script: string): Promise<GraphSnapshot> {
  const r = await launchRunner({ script, cwd: FIXTURES, timeoutMs: 30_000 }).done;
  expect(r.errors).toEqual([]);
  return r.snapshots[0];
}

const nameOf = (s: GraphSnapshot, id: string): string =>
  s.nodes.find((n) => n.id === id)?.name ?? id;

describe('walkthrough', () => {
  it('steps through Q/P in the engine order, labelling -32, -384 and 96 on their edges', async () => {
    const s = await snapshotOf('explain-qp.ts');
    const steps = walkthrough(s);
    expect(steps.map((st) => nameOf(s, st.node))).toEqual([
      'PowBackward0',
      'SubBackward0',
      'MulBackward0',
      'torch::autograd::AccumulateGrad',
      'PowBackward0',
      'torch::autograd::AccumulateGrad',
    ]);
    expect(steps[1].head).toBe('step 2: SubBackward0 at explain-qp.ts:7');
    expect(steps[1].rule).toBe('out = self - alpha * other');
    expect(steps[1].body).toContain('received grad = -32 from PowBackward0 (step 1) as self');
    expect(steps[5].body).toContain('a.grad: None -> -384');
    expect(steps.map((st) => st.edges.map((e) => e.text))).toEqual([
      ['1', '-32'],
      ['-32', '32'],
      ['96'],
      ['.grad 96'],
      ['-384'],
      ['.grad -384'],
    ]);
    // Every label lands on an edge of the drawing.
    const drawn = new Set(graphEdges(s).map((e) => edgeKey(e.id)));
    for (const e of steps.flatMap((st) => st.edges)) expect(drawn).toContain(e.key);
  });

  it('marks the running node, the nodes run before and after it, and the labels so far', async () => {
    const s = await snapshotOf('explain-qp.ts');
    const steps = walkthrough(s);
    const m = stepMarks(steps, 2);
    expect(m.now).toBe(steps[2].node);
    expect([...m.done]).toEqual([steps[0].node, steps[1].node]);
    expect([...m.todo]).toEqual(steps.slice(3).map((st) => st.node));
    const labels = [...m.labels.values()];
    expect(labels.map((l) => l.text)).toEqual(['1', '-32', '-32', '32', '96']);
    expect(labels.filter((l) => l.now).map((l) => l.text)).toEqual(['96']);
    expect(stepMarks(steps, 0).done.size).toBe(0);
  });

  it('writes the sum where a leaf is reached along several edges', async () => {
    const s = await snapshotOf('explain-fan-in.ts');
    const steps = walkthrough(s);
    const acc = steps.find((st) => st.head.includes('AccumulateGrad'));
    expect(acc?.sum).toBe('7 = 1 + 3 + 3');
    expect(steps.filter((st) => st !== acc).map((st) => st.sum)).toEqual([null, null]);
  });

  it('labels a big gradient by its shape and norm', () => {
    const big: TensorSummary = {
      shape: [2, 3],
      dtype: 'float32',
      numel: 6,
      first: [3, 4, 0, 0, 0, 0],
      min: 0,
      max: 4,
      mean: 7 / 6,
      nanCount: 0,
      infCount: 0,
      norm: 5,
    };
    expect(edgeText(big)).toBe('(2×3) ‖5‖');
    expect(edgeText({ ...big, shape: [3], numel: 3, first: [1, 2, 3] })).toBe('[1, 2, 3]');
  });

  it('keys an edge into an input port by its end, whatever stands at its start', () => {
    expect(edgeKey('n4->n2#1')).toBe('n2#1');
    expect(edgeKey('group:3->n2#1')).toBe('n2#1');
    expect(edgeKey('n1->n7')).toBe('n1->n7');
  });
});
