// The training monitor page checks the host's messages field by field before drawing them.
import { expect, test } from 'vitest';
import { isToMonitor } from '../../src/protocol/monitor';

const columns = {
  step: Float64Array.of(1, 2),
  loss: Float64Array.of(0.5, 0.4),
  timeMs: Float64Array.of(1, 2),
  lr: Float64Array.of(NaN, NaN),
  gradNorms: { w: Float64Array.of(0.1, 0.2) },
};
const meta = {
  id: 'r1',
  script: '/ws/a.ts',
  startedAt: 1,
  status: 'running',
  message: null,
  pid: 42,
};

test('well-formed messages pass', () => {
  expect(isToMonitor({ type: 'monitor/replay', current: { meta, columns }, previous: [] })).toBe(
    true,
  );
  expect(
    isToMonitor({
      type: 'monitor/replay',
      current: null,
      previous: [{ meta: { ...meta, status: 'done', pid: null }, columns }],
    }),
  ).toBe(true);
  expect(
    isToMonitor({
      type: 'monitor/append',
      runId: 'r1',
      from: 2,
      columns: { ...columns, loss: [0.5, null] },
    }),
  ).toBe(true);
  expect(
    isToMonitor({
      type: 'monitor/status',
      runId: 'r1',
      status: 'stopped',
      message: 'stopped',
      pid: null,
    }),
  ).toBe(true);
  expect(isToMonitor({ type: 'monitor/exportPng' })).toBe(true);
});

test('a bad field anywhere is refused', () => {
  expect(
    isToMonitor({
      type: 'monitor/replay',
      current: { meta: { ...meta, status: 'gone' }, columns },
      previous: [],
    }),
  ).toBe(false);
  expect(
    isToMonitor({
      type: 'monitor/replay',
      current: null,
      previous: [{ meta, columns: { ...columns, gradNorms: { w: 'x' } } }],
    }),
  ).toBe(false);
  expect(isToMonitor({ type: 'monitor/append', runId: 'r1', from: -1, columns })).toBe(false);
  expect(
    isToMonitor({ type: 'monitor/status', runId: 'r1', status: 'running', message: 3, pid: null }),
  ).toBe(false);
  expect(isToMonitor({ type: 'monitor/other' })).toBe(false);
});
