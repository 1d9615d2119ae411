// Capture points across the process boundary: the run options, the stop on a snapshot and the
// report in run/done are validated field by field; the host keeps stops apart from the
// backward() graphs; a Node run is not given them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ProtocolError,
  validateChildMessage,
  validateHostMessage,
  type GraphSnapshot,
} from '../../src/protocol/messages';
import { launchRunner } from '../../src/runner/launch';
import { FIXTURES, ensureBuilt } from './helpers';

const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';

function refusedAt(message: unknown, validate: (m: unknown) => unknown): string {
  try {
    validate(message);
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return (e as ProtocolError).path;
  }
  throw new Error('accepted');
}

const options = {
  script: '/w/s.py',
  cwd: '/w',
  captureAt: 'last',
  maxNodes: 10,
  savedTensors: false,
  flow: 'auto',
  stopAfter: null,
  args: [],
};
const start = (capturePoints: unknown) => ({
  type: 'run/start',
  protocol: 1,
  options: { ...options, capturePoints },
});

function stopSnapshot(stop: unknown): GraphSnapshot & Record<string, unknown> {
  return {
    index: 0,
    trigger: 'backward',
    outputs: [],
    collapsed: false,
    detail: 'light',
    anomalies: [],
    nodes: [
      {
        id: 'var:x',
        kind: 'output',
        name: 'x',
        next: [],
        value: null,
        grad: null,
        location: null,
        modulePath: [],
        attachedTo: null,
        sequenceNr: -1,
      },
    ],
    stop: stop as GraphSnapshot['stop'],
  };
}

describe('capture points in the protocol', () => {
  it('run options carry them, checked field by field; older hosts send none', () => {
    const points = {
      points: [{ file: '/w/s.py', line: 4, condition: 'i == 2' }],
      maxHits: 20,
    };
    const m = validateHostMessage(start(points));
    expect(m.type === 'run/start' && m.options.capturePoints).toEqual(points);
    const none = validateHostMessage({ type: 'run/start', protocol: 1, options });
    expect(none.type === 'run/start' && 'capturePoints' in none.options).toBe(false);
    expect(refusedAt(start({ points: {}, maxHits: 1 }), validateHostMessage)).toBe(
      'message.options.capturePoints.points',
    );
    expect(
      refusedAt(
        start({ points: [{ file: '/w/s.py', line: 'four', condition: null }], maxHits: 1 }),
        validateHostMessage,
      ),
    ).toBe('message.options.capturePoints.points[0].line');
    expect(
      refusedAt(
        start({ points: [{ file: '/w/s.py', line: 4, condition: 3 }], maxHits: 1 }),
        validateHostMessage,
      ),
    ).toBe('message.options.capturePoints.points[0].condition');
    expect(refusedAt(start({ points: [], maxHits: 0 }), validateHostMessage)).toBe(
      'message.options.capturePoints.maxHits',
    );
  });

  it('a snapshot names its stop, whose scope points at its own nodes', () => {
    const stop = { file: '/w/s.py', line: 4, hit: 2, scope: [{ name: 'x', node: 'var:x' }] };
    const m = validateChildMessage({ type: 'graph/snapshot', snapshot: stopSnapshot(stop) });
    expect(m.type === 'graph/snapshot' && m.snapshot.stop).toEqual(stop);
    const bad = (s: unknown) =>
      refusedAt({ type: 'graph/snapshot', snapshot: s }, validateChildMessage);
    expect(bad(stopSnapshot({ ...stop, hit: 0 }))).toBe('message.snapshot.stop.hit');
    expect(bad(stopSnapshot({ ...stop, scope: [{ name: 'y', node: 'var:y' }] }))).toBe(
      'message.snapshot.stop.scope[0].node',
    );
    expect(bad(stopSnapshot({ ...stop, file: null }))).toBe('message.snapshot.stop.file');
  });

  it('run/done reports how often each point was reached', () => {
    const report = { file: '/w/s.py', line: 40, reached: 0, note: null };
    const done = { type: 'run/done', backwardCount: 1, durationMs: 3 };
    expect(validateChildMessage({ ...done, capturePoints: [report] })).toEqual({
      ...done,
      capturePoints: [report],
    });
    expect(validateChildMessage(done)).toEqual(done);
    expect(
      refusedAt({ ...done, capturePoints: [{ ...report, reached: 'no' }] }, validateChildMessage),
    ).toBe('message.capturePoints[0].reached');
  });
});

describe('capture points through the host', () => {
  beforeAll(ensureBuilt);

  it('a Python run sends stops apart from its backward() graphs, and reports each point', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gradlens-cp-'));
    const script = path.join(dir, 'stops.py');
    writeFileSync(
      script,
      [
        'import torch',
        'a = torch.tensor([2.0], requires_grad=True)',
        'for i in range(3):',
        '    b = a * 3',
        'b.backward()',
        '',
      ].join('\n'),
    );
    const points = [
      { file: script, line: 4, condition: null },
      { file: script, line: 9, condition: null },
    ];
    const r = await launchRunner(
      { script, python: PYTHON, timeoutMs: 120_000, capturePoints: { points, maxHits: 2 } },
      {},
    ).done;
    expect(r.errors).toEqual([]);
    expect(r.snapshots.map((s) => s.index)).toEqual([1]);
    expect(r.stops.map((s) => s.stop?.hit)).toEqual([1, 2]);
    expect(r.stops[1].stop?.scope.map((e) => e.name)).toEqual(['a', 'b']);
    expect(r.capturePoints.map((p) => [p.line, p.reached])).toEqual([
      [4, 3],
      [9, 0],
    ]);
  }, 120_000);

  it('a Node run goes on as without them: no stops, no report', async () => {
    const script = path.join(FIXTURES, 'seed-qp.ts');
    const points = [{ file: script, line: 3, condition: null }];
    const r = await launchRunner(
      { script, timeoutMs: 60_000, capturePoints: { points, maxHits: 2 } },
      {},
    ).done;
    expect(r.errors).toEqual([]);
    expect(r.snapshots.length).toBeGreaterThan(0);
    expect(r.stops).toEqual([]);
    expect(r.capturePoints).toEqual([]);
  }, 60_000);
});
