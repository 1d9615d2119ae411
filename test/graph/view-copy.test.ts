// The graph view's packed copy (src/graph/view-copy.ts): what the page and its layout worker
// read back must be the slim snapshot exactly, for real captures and for every optional field.
import { isDeepStrictEqual } from 'node:util';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { slimSnapshot } from '../../src/graph/slim';
import {
  packViewCopy,
  readViewCopyGzip,
  unpackViewCopy,
  viewCopyGzip,
} from '../../src/graph/view-copy';
import { snapshotGzip } from '../../src/extension/snapshot-gzip';
import { toJsonBytes } from '../../src/protocol/graph-view';
import type { GraphNode, GraphSnapshot, TensorSummary } from '../../src/protocol/messages';
import { launchRunner } from '../../src/runner/launch';
import { FIXTURES, ensureBuilt } from '../runner/helpers';
import { rnnSnapshot } from './rnn-snapshot';

beforeAll(ensureBuilt);

/** What the page reads: the copy through JSON, as it crosses to the page. */
function throughJson(s: GraphSnapshot): GraphSnapshot {
  return unpackViewCopy(JSON.parse(JSON.stringify(packViewCopy(s))));
}

/** Equal as JSON.parse gives them: no field missing, added, or undefined where absent. */
function expectSame(actual: GraphSnapshot, expected: GraphSnapshot): void {
  expect(actual).toEqual(expected);
  expect(isDeepStrictEqual(actual, JSON.parse(JSON.stringify(expected)))).toBe(true);
}

async function capture(script: string): Promise<GraphSnapshot> {
  const r = await launchRunner({ script, cwd: FIXTURES, timeoutMs: 60_000, maxNodes: 50_000 }).done;
  expect(r.errors).toEqual([]);
  return r.snapshots[0];
}

const summary = (over: Partial<TensorSummary> = {}): TensorSummary => ({
  shape: [2, 3],
  dtype: 'float32',
  numel: 6,
  first: [0.123456789, -2, 3.5, 'NaN', 'Infinity', 6],
  min: -2,
  max: 6.123456789,
  mean: 0.333333333,
  nanCount: 1,
  infCount: 1,
  ...over,
});

const node = (over: Partial<GraphNode> & Pick<GraphNode, 'id'>): GraphNode => ({
  kind: 'function',
  name: 'MulBackward0',
  next: [],
  value: null,
  grad: null,
  location: null,
  modulePath: [],
  attachedTo: null,
  sequenceNr: 0,
  ...over,
});

/** Every optional field of nodes, summaries and locations, present and absent. */
const edgeCases: GraphSnapshot = {
  index: 2,
  trigger: 'grad',
  outputs: ['a'],
  anomalies: [{ kind: 'nan', where: 'value', nodeId: 'a', message: 'NaN in a' }],
  collapsed: false,
  detail: 'full',
  flowRecorded: true,
  nodes: [
    node({
      id: 'a',
      next: [{ id: 'b', inputNr: 0 }, null, { id: 'c', inputNr: 2 }],
      value: summary(),
      grad: summary({ numel: 3, shape: [3], first: [1.23456789, 2, 3], norm: null }),
      location: { file: '/w/π ünïcode/a.ipynb', line: 3, column: 7, cell: 2 },
      modulePath: ['Net', 'Net.fc'],
      moduleCalls: [0, 4],
      varName: 'Q',
      sequenceNr: 5,
      flow: { order: 0, gradOutputs: [summary(), null], gradInputs: [null, summary()] },
    }),
    node({
      id: 'b',
      kind: 'accumulate',
      name: 'torch::autograd::AccumulateGrad',
      value: summary({ numel: 1, shape: [], first: [4], values: [4], norm: 4 }),
      grad: summary({ numel: 2, shape: [2], first: [1, 2], values: [1, 2] }),
      location: { file: '/w/b.ts', line: 1, column: 1 },
    }),
    node({
      id: 'c',
      kind: 'leaf',
      name: 'x',
      attachedTo: 'b',
      sequenceNr: -1,
      value: summary({ min: null, max: null, mean: null, norm: 0 }),
      location: { file: '/w/b.ts', line: 9, column: 2 },
    }),
  ],
} as unknown as GraphSnapshot;

describe('the graph view copy', () => {
  it('reads back as the slim snapshot, every optional field kept or left out as it was', () => {
    expectSame(throughJson(edgeCases), slimSnapshot(edgeCases));
    const a = throughJson(edgeCases).nodes[0];
    expect('norm' in a.value!).toBe(false);
    expect(a.grad!.norm).toBeNull();
    expect(a.location!.cell).toBe(2);
    expect(a.next[2]).toEqual({ id: 'c', inputNr: 2 });
    expect(throughJson(edgeCases).nodes[1].grad!.values).toEqual([1, 2]);
    expect('norm' in throughJson(edgeCases).nodes[1].grad!).toBe(false);
    expect(throughJson(edgeCases).nodes[2].value!.norm).toBe(0);
  });

  it('reads back real captures, with their flow, and a big RNN', async () => {
    const qp = await capture('explain-qp.ts');
    expect(qp.nodes.some((n) => n.flow !== undefined)).toBe(true);
    expectSame(throughJson(qp), slimSnapshot(qp));
    const rnn = await capture(path.resolve('examples', 'unrolled-rnn.ts'));
    expectSame(throughJson(rnn), slimSnapshot(rnn));
    // Most of the slim snapshot's JSON is keys and file names repeated in every node.
    expect(toJsonBytes(packViewCopy(rnn)).length).toBeLessThan(
      toJsonBytes(slimSnapshot(rnn)).length / 2,
    );
    expectSame(await readViewCopyGzip(snapshotGzip(rnn)), slimSnapshot(rnn));
  }, 120_000);

  it('reads back a copy the page packed from its own graph', async () => {
    const s = rnnSnapshot(30);
    expectSame(await readViewCopyGzip(await viewCopyGzip(s)), slimSnapshot(s));
  });

  it('refuses what is not a view copy', async () => {
    expect(() => unpackViewCopy(slimSnapshot(edgeCases))).toThrow(/not a graph view copy/);
    expect(() => unpackViewCopy(null)).toThrow(/not a graph view copy/);
    await expect(readViewCopyGzip(snapshotGzip(edgeCases).subarray(1))).rejects.toThrow();
  });
});
