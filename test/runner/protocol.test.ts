// The validators at the process boundary: what they accept, and the exact place they name in
// what they refuse (paths are joined only when something is wrong, so each kind of place is
// checked here once).
import { describe, expect, it } from 'vitest';
import {
  ProtocolError,
  validateChildMessage,
  validateHostMessage,
  type GraphNode,
  type GraphSnapshot,
  type TensorSummary,
} from '../../src/protocol/messages';

const summary: TensorSummary = {
  shape: [2, 2],
  dtype: 'float32',
  numel: 4,
  first: [1, 'NaN', 3, 4],
  min: 1,
  max: 4,
  mean: 2.5,
  nanCount: 1,
  infCount: 0,
  norm: 5.1,
  values: [1, 'NaN', 3, 4],
};

function node(id: string, next: GraphNode['next'] = []): GraphNode {
  return {
    id,
    kind: 'function',
    name: 'MulBackward0',
    next,
    value: structuredClone(summary),
    grad: null,
    location: { file: '/s.ts', line: 3, column: 1 },
    modulePath: ['Net'],
    moduleCalls: [0],
    attachedTo: null,
    sequenceNr: 1,
  };
}

function snapshot(): GraphSnapshot {
  return {
    index: 1,
    trigger: 'backward',
    outputs: ['a'],
    collapsed: false,
    detail: 'full',
    flowRecorded: true,
    anomalies: [{ kind: 'nan', where: 'value', nodeId: 'a', message: 'NaN' }],
    nodes: [
      {
        ...node('a', [{ id: 'b', inputNr: 0 }, null]),
        varName: 'Q',
        flow: { order: 0, gradOutputs: [structuredClone(summary)], gradInputs: [summary, null] },
      },
      {
        ...node('b'),
        kind: 'accumulate',
        flow: {
          order: 1,
          gradOutputs: [summary],
          gradInputs: [],
          gradBefore: null,
          gradAfter: summary,
        },
      },
    ],
  };
}

/** A snapshot message whose first node's variable name is `varName`. */
function snapshotWith(varName: unknown): unknown {
  const s = snapshot();
  const n: Record<string, unknown> = { ...s.nodes[0], varName };
  if (varName === undefined) delete n.varName;
  return { type: 'graph/snapshot', snapshot: { ...s, nodes: [n, s.nodes[1]] } };
}

/** The place a malformed message is refused at. */
function refusedAt(
  message: unknown,
  validate: (m: unknown) => unknown = validateChildMessage,
): string {
  try {
    validate(message);
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return (e as ProtocolError).path;
  }
  throw new Error('accepted');
}

describe('protocol validators', () => {
  it('accept a well-formed snapshot and give back what was sent', () => {
    const m = validateChildMessage(
      JSON.parse(JSON.stringify({ type: 'graph/snapshot', snapshot: snapshot() })),
    );
    expect(m).toEqual({ type: 'graph/snapshot', snapshot: snapshot() });
  });

  it("take a function node's variable name as optional, a non-empty string when present", () => {
    const first = (m: unknown): GraphNode =>
      (validateChildMessage(m) as { snapshot: GraphSnapshot }).snapshot.nodes[0];
    expect(first(snapshotWith('Q')).varName).toBe('Q');
    // Snapshots of older runners have no such field and still load.
    expect(first(snapshotWith(undefined))).not.toHaveProperty('varName');
    expect(refusedAt(snapshotWith(3))).toBe('message.snapshot.nodes[0].varName');
    expect(refusedAt(snapshotWith(''))).toBe('message.snapshot.nodes[0].varName');
    expect(refusedAt(snapshotWith(null))).toBe('message.snapshot.nodes[0].varName');
  });

  it('name the place of a bad value at any depth of a snapshot', () => {
    const bad = (change: (s: GraphSnapshot & Record<string, unknown>) => void): string => {
      const s = snapshot() as GraphSnapshot & Record<string, unknown>;
      change(s);
      return refusedAt({ type: 'graph/snapshot', snapshot: s });
    };
    expect(bad((s) => ((s.nodes[1].value!.shape as unknown[])[1] = 'x'))).toBe(
      'message.snapshot.nodes[1].value.shape[1]',
    );
    expect(bad((s) => ((s.nodes[0].value!.first as unknown[])[2] = 'Inf'))).toBe(
      'message.snapshot.nodes[0].value.first[2]',
    );
    expect(bad((s) => ((s.nodes[0].next as unknown[])[0] = { id: 'b', inputNr: 0.5 }))).toBe(
      'message.snapshot.nodes[0].next[0].inputNr',
    );
    expect(
      bad(
        (s) =>
          ((s.nodes[1] as unknown as Record<string, unknown>).location = {
            file: '/s.ts',
            line: '3',
            column: 1,
          }),
      ),
    ).toBe('message.snapshot.nodes[1].location.line');
    expect(bad((s) => ((s.nodes[1].moduleCalls as unknown[])[0] = null))).toBe(
      'message.snapshot.nodes[1].moduleCalls[0]',
    );
    expect(bad((s) => ((s.nodes[0] as unknown as Record<string, unknown>).kind = 'tensor'))).toBe(
      'message.snapshot.nodes[0].kind',
    );
    expect(
      bad((s) => ((s.anomalies[0] as unknown as Record<string, unknown>).where = 'there')),
    ).toBe('message.snapshot.anomalies[0].where');
    expect(bad((s) => (s.nodes[0].next[0] = { id: 'zz', inputNr: 0 }))).toBe(
      'message.snapshot.nodes[0].next[0].id',
    );
    expect(bad((s) => (s.index = 'one' as unknown as number))).toBe('message.snapshot.index');
    expect(bad((s) => ((s.nodes as unknown[])[1] = 7))).toBe('message.snapshot.nodes[1]');
  });

  it('name the place of a bad value in the backward flow of a node', () => {
    const bad = (change: (s: GraphSnapshot) => void): string => {
      const s = structuredClone(snapshot());
      change(s);
      return refusedAt({ type: 'graph/snapshot', snapshot: s });
    };
    expect(bad((s) => (s.nodes[0].flow!.order = -1))).toBe('message.snapshot.nodes[0].flow.order');
    expect(bad((s) => s.nodes[0].flow!.gradInputs.pop())).toBe(
      'message.snapshot.nodes[0].flow.gradInputs',
    );
    expect(bad((s) => ((s.nodes[0].flow!.gradOutputs[0]!.values as unknown[])[1] = 'nan'))).toBe(
      'message.snapshot.nodes[0].flow.gradOutputs[0].values[1]',
    );
    expect(bad((s) => (s.nodes[0].flow!.gradInputs[0]!.norm = '5' as unknown as number))).toBe(
      'message.snapshot.nodes[0].flow.gradInputs[0].norm',
    );
    expect(bad((s) => (s.nodes[1].flow!.gradBefore = {} as TensorSummary))).toBe(
      'message.snapshot.nodes[1].flow.gradBefore.shape',
    );
    expect(bad((s) => (s.flowRecorded = 1 as unknown as boolean))).toBe(
      'message.snapshot.flowRecorded',
    );
  });

  it('take a notice as a notice, and name the place of a bad one', () => {
    const notice = { kind: 'compiled', message: 'one opaque node' };
    expect(validateChildMessage({ type: 'run/notice', notice })).toEqual({
      type: 'run/notice',
      notice,
    });
    // A notice is not an error: an error's kinds are not notice kinds.
    expect(refusedAt({ type: 'run/notice', notice: { ...notice, kind: 'crash' } })).toBe(
      'message.notice.kind',
    );
    expect(refusedAt({ type: 'run/notice', notice: { ...notice, message: null } })).toBe(
      'message.notice.message',
    );
    expect(refusedAt({ type: 'run/notice' })).toBe('message.notice');
  });

  it('read a batch of metrics in columns as one metric per step', () => {
    const columns = {
      step: [4, 6],
      loss: [0.5, 'NaN'],
      timeMs: [10, 12.5],
      lr: [0.01, null],
      gradNorms: { '6': { 'fc.weight': 'Infinity' } },
    };
    expect(validateChildMessage({ type: 'train/metrics', columns, stride: 2 })).toEqual({
      type: 'train/metrics',
      stride: 2,
      metrics: [
        { step: 4, loss: 0.5, timeMs: 10, gradNorms: {}, lr: 0.01 },
        { step: 6, loss: 'NaN', timeMs: 12.5, gradNorms: { 'fc.weight': 'Infinity' }, lr: null },
      ],
    });
    const refused = (change: object) =>
      refusedAt({ type: 'train/metrics', columns: { ...columns, ...change } });
    expect(refused({ step: [4, 6.5] })).toBe('message.columns.step[1]');
    expect(refused({ loss: [0.5] })).toBe('message.columns.loss');
    expect(refused({ lr: [0.01, 'fast'] })).toBe('message.columns.lr[1]');
    expect(refused({ timeMs: [10, null] })).toBe('message.columns.timeMs[1]');
    expect(refused({ gradNorms: { '5': { w: 1 } } })).toBe('message.columns.gradNorms.5');
    expect(refused({ gradNorms: { '4': { w: 'big' } } })).toBe('message.columns.gradNorms.4.w');
    expect(refused({ gradNorms: [] })).toBe('message.columns.gradNorms');
  });

  it('name the place of a bad value in metrics, errors and the host start message', () => {
    expect(
      refusedAt({
        type: 'train/metrics',
        metrics: [
          { step: 1, loss: 1, timeMs: 1, gradNorms: {}, lr: null },
          { step: 2, loss: 1, timeMs: 1, gradNorms: { 'fc.weight': 'big' }, lr: null },
        ],
      }),
    ).toBe('message.metrics[1].gradNorms.fc.weight');
    expect(
      refusedAt({
        type: 'run/error',
        error: {
          kind: 'exception',
          message: 'm',
          stack: null,
          location: { file: 1, line: 1, column: 1 },
        },
      }),
    ).toBe('message.error.location.file');
    const options = {
      script: '/s.ts',
      cwd: '/',
      captureAt: 'last',
      maxNodes: 10,
      savedTensors: false,
      flow: 'auto',
      stopAfter: { file: '/s.ts', line: 'two' },
    };
    expect(refusedAt({ type: 'run/start', protocol: 1, options }, validateHostMessage)).toBe(
      'message.options.stopAfter.line',
    );
    expect(
      refusedAt(
        { type: 'run/start', protocol: 1, options: { ...options, stopAfter: null, flow: 'on' } },
        validateHostMessage,
      ),
    ).toBe('message.options.flow');
    const prepare = { type: 'run/prepare', script: '/s.ts', bundleCache: '/cache' };
    expect(validateHostMessage(prepare)).toEqual(prepare);
    expect(refusedAt({ ...prepare, bundleCache: 7 }, validateHostMessage)).toBe(
      'message.bundleCache',
    );
    expect(refusedAt({ type: 'run/prepare', bundleCache: '/c' }, validateHostMessage)).toBe(
      'message.script',
    );
  });
});
