import { expect, test } from 'vitest';
import {
  choosePoints,
  limitNotes,
  reportLines,
  runOrder,
  stopLabel,
  stopValues,
} from '../../src/extension/capture-points';
import type { GraphSnapshot, TensorSummary } from '../../src/protocol/messages';

const bp = (file: string, line: number, more: object = {}) => ({
  file,
  line,
  enabled: true,
  ...more,
});

test('enabled breakpoints of the script and of workspace .py files become capture points', () => {
  const { points, notes } = choosePoints(
    '/ws/train.py',
    [
      bp('/ws/train.py', 12),
      bp('/ws/lib/model.py', 5, { condition: 'i == 2' }),
      bp('/ws/train.py', 13, { enabled: false }),
      bp('/ws/train.ts', 3),
      bp('/elsewhere/other.py', 1),
      bp('/ws/train.py', 20, { logMessage: 'loss {loss}' }),
      bp('/ws/train.py', 21, { hitCondition: '> 5' }),
    ],
    ['/ws'],
  );
  expect(points).toEqual([
    { file: '/ws/train.py', line: 12, condition: null },
    { file: '/ws/lib/model.py', line: 5, condition: 'i == 2' },
    { file: '/ws/train.py', line: 21, condition: null },
  ]);
  expect(notes).toEqual([
    'the logpoint at train.py:20 is skipped (it records nothing)',
    'the hit count condition of train.py:21 is ignored: every hit is recorded',
  ]);
  // A script outside every workspace folder still uses its own breakpoints.
  expect(choosePoints('/tmp/a.py', [bp('/tmp/a.py', 2)], ['/ws']).points).toHaveLength(1);
});

test('the Output says which lines were never reached and which hit the limit', () => {
  expect(
    reportLines(
      [
        { file: '/ws/x.py', line: 40, reached: 0, note: null },
        { file: '/ws/x.py', line: 12, reached: 57, note: null },
        { file: '/ws/x.py', line: 14, reached: 20, note: 'condition `f()` is treated as plain' },
      ],
      20,
    ),
  ).toEqual([
    '[gradlens] breakpoint at x.py:40 was never reached',
    '[gradlens] breakpoint at x.py:12 was reached 57 times; the first 20 were recorded (setting gradlens.capturePoints.maxHits)',
    '[gradlens] breakpoint at x.py:14: condition `f()` is treated as plain',
  ]);
});

const value = (first: number[]): TensorSummary => ({
  shape: [first.length],
  dtype: 'float32',
  numel: first.length,
  first,
  min: Math.min(...first),
  max: Math.max(...first),
  mean: 0,
  nanCount: 0,
  infCount: 0,
});

function snap(
  index: number,
  stop?: { line: number; hit: number; x: number },
  file = '/ws/x.py',
): GraphSnapshot {
  return {
    index,
    trigger: 'backward',
    nodes: [
      {
        id: 'var:x',
        kind: 'output',
        name: 'x',
        next: [],
        value: value([stop?.x ?? 0, 2]),
        grad: null,
        location: null,
        modulePath: [],
        attachedTo: null,
        sequenceNr: -1,
      },
    ],
    outputs: [],
    anomalies: [],
    collapsed: false,
    detail: 'light',
    ...(stop
      ? {
          stop: {
            file,
            line: stop.line,
            hit: stop.hit,
            scope: [{ name: 'x', node: 'var:x' }],
          },
        }
      : {}),
  };
}

test('stops sit among the backward() graphs in run order', () => {
  const backward = [snap(1), snap(2)];
  const stops = [
    snap(0, { line: 3, hit: 1, x: 0 }),
    snap(1, { line: 9, hit: 1, x: 0 }),
    snap(1, { line: 3, hit: 2, x: 0 }),
    snap(2, { line: 9, hit: 2, x: 0 }),
  ];
  expect(runOrder(backward, stops)).toEqual([
    { kind: 'stop', at: 0 },
    { kind: 'backward', at: 0 },
    { kind: 'stop', at: 1 },
    { kind: 'stop', at: 2 },
    { kind: 'backward', at: 1 },
    { kind: 'stop', at: 3 },
  ]);
  expect(stopLabel(stops[2].stop!)).toBe('x.py:3 (hit 2)');
  // The picker says once, at the last recorded hit, that a line hit its limit.
  const reports = [
    { file: '/ws/x.py', line: 3, reached: 7, note: null },
    { file: '/ws/x.py', line: 9, reached: 2, note: null },
  ];
  expect(limitNotes(stops, reports)).toEqual(
    new Map([[2, 'the hit limit: reached 7 times, later hits not recorded']]),
  );
});

test('inline values show the tensors in scope at the last hit of each line of the file', () => {
  const stops = [
    snap(0, { line: 3, hit: 1, x: 1 }),
    snap(0, { line: 3, hit: 2, x: 5 }),
    snap(0, { line: 9, hit: 1, x: 7 }),
  ];
  expect(stopValues(stops, '/ws/x.py')).toEqual([
    { line: 3, text: 'hit 2: x (2,) 5, 2' },
    { line: 9, text: 'hit 1: x (2,) 7, 2' },
  ]);
  expect(stopValues(stops, '/ws/other.py')).toEqual([]);
});

test('Windows paths: breakpoints, labels and inline values match however a path is spelled', () => {
  const { points, notes } = choosePoints(
    'c:\\My Work\\train.py',
    [
      bp('C:\\My Work\\train.py', 4),
      bp('c:/my work/lib/Model.PY', 7, { logMessage: 'x' }),
      bp('C:\\My Work\\lib\\model.py', 8),
      bp('C:\\My Workshop\\other.py', 1),
      bp('D:\\data\\prep.py', 2),
    ],
    ['C:\\my work'],
  );
  expect(points.map((p) => [p.file, p.line])).toEqual([
    ['C:\\My Work\\train.py', 4],
    ['C:\\My Work\\lib\\model.py', 8],
  ]);
  expect(notes).toEqual(['the logpoint at Model.PY:7 is skipped (it records nothing)']);
  expect(stopLabel({ file: 'C:\\My Work\\train.py', line: 4, hit: 1 })).toBe('train.py:4 (hit 1)');
  // VS Code writes the drive letter in lower case where Node and Python write it upper case.
  const stops = [snap(0, { line: 4, hit: 1, x: 3 }, 'C:\\My Work\\train.py')];
  expect(stopValues(stops, 'c:\\my work\\train.py')).toEqual([
    { line: 4, text: 'hit 1: x (2,) 3, 2' },
  ]);
  expect(stopValues(stops, 'c:\\my work\\other.py')).toEqual([]);
});
