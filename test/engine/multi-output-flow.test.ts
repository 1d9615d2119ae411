// The backward flow of a multi-output node (chunk's SplitBackward0) holds the gradient of
// every output, none where nothing arrived, and --explain's text says which came where.
import { beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { explainSteps } from '../../src/explain/text';
import { decodeNum, type TensorSummary } from '../../src/protocol/messages';
import { launchRunner } from '../../src/runner/launch';
import { FIXTURES, ensureBuilt } from '../runner/helpers';

beforeAll(ensureBuilt);

function vals(t: TensorSummary | null): number[] | null {
  return t === null ? null : t.values!.map(decodeNum);
}

describe('flow of multi-output nodes', () => {
  it('the engine reports one gradient per output to its observer, null where none arrived', () => {
    const seen: [string, (number[] | null)[]][] = [];
    torch._setBackwardObserver({
      ran: (node, gradOutputs) =>
        void seen.push([
          node.name(),
          gradOutputs.map((g) => (g === null ? null : (g.reshape(-1).tolist() as number[]))),
        ]),
      accumulating: () => undefined,
    });
    try {
      const x = torch.tensor([1, 2, 3, 4, 5, 6], { requiresGrad: true });
      const [a, , c] = x.split(2);
      a.mul(2).sum().add(c.mul(3).sum()).backward();
    } finally {
      torch._setBackwardObserver(null);
    }
    expect(seen.find(([name]) => name === 'SplitBackward0')![1]).toEqual([[2, 2], null, [3, 3]]);
    expect(seen.find(([name]) => name === 'AddBackward0')![1]).toEqual([[1]]);
  });

  it('a run records them, and --explain says what each output received', async () => {
    const r = await launchRunner({ script: 'explain-chunk.ts', cwd: FIXTURES, timeoutMs: 30_000 })
      .done;
    expect(r.errors).toEqual([]);
    const s = r.snapshots[0];
    const split = s.nodes.find((n) => n.name === 'SplitBackward0')!;
    expect(split.flow!.gradOutputs.map(vals)).toEqual([[2, 2], null, [3, 3]]);
    expect(split.flow!.gradInputs.map(vals)).toEqual([[2, 2, 0, 0, 3, 3]]);
    const step = explainSteps(s).find((st) => st.node === split.id)!;
    expect(step.body.find((l) => l.startsWith('received grad'))).toMatch(
      /^received grad = output 0: \[2, 2\] from MulBackward0 \(step \d\) as self; output 1: none; output 2: \[3, 3\] from MulBackward0 \(step \d\) as self$/,
    );
  });
});
