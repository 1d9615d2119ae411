// The host's training record at a fixed size: it stops growing at its cap whatever the number
// of steps, and what a chart or a reader needs survives the thinning (the last step exactly,
// the first NaN at its step, loss spikes and dips, gradient spikes, step-uniform buckets).
import { describe, expect, test } from 'vitest';
import { RunHistory } from '../../src/extension/monitor/history';
import type { TrainMetric } from '../../src/protocol/messages';
import { MAX_ROWS, thinMetrics } from '../../src/protocol/record-cap';
import { ColumnBuilder } from '../../src/protocol/run-columns';

/** A smooth loss with the events the record must keep at known steps. */
const SPIKE = 123_457;
const DIP = 400_001;
const GRAD_SPIKE = 777_777;
const FIRST_NAN = 900_001;
const lossAt = (s: number): number =>
  s === SPIKE ? 1e6 : s === DIP ? 1e-9 : s >= FIRST_NAN && s % 2 === 1 ? NaN : 1 + 1 / s;
const gradAt = (s: number): number => (s === GRAD_SPIKE ? 1e9 : 0.5);

function fill(b: ColumnBuilder, steps: number, sizes?: number[]): void {
  for (let s = 1; s <= steps; s++) {
    b.append({ step: s, loss: lossAt(s), timeMs: s, lr: 0.01, gradNorms: { w: gradAt(s) } });
    sizes?.push(b.length);
  }
}

describe('ColumnBuilder with a cap on rows', () => {
  const cap = 1024;
  const steps = 1_000_003;
  const b = new ColumnBuilder(16, cap);
  const sizes: number[] = [];
  fill(b, steps, sizes);
  const c = b.view();
  const rowOf = (step: number): number => c.step.indexOf(step);

  test('never holds more than its cap, nor fewer than a quarter of it once thinned', () => {
    expect(sizes.reduce((a, b) => Math.max(a, b))).toBe(cap);
    // The thinned record keeps a useful resolution: never fewer than a quarter of the cap.
    expect(sizes.slice(cap).reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(cap / 4);
    expect(b.length).toBeLessThanOrEqual(cap);
    expect(b.thinned).toBeGreaterThan(5);
  });

  test('the last step is there exactly, with its own values', () => {
    const i = c.step.length - 1;
    expect(c.step[i]).toBe(steps);
    expect(c.loss[i]).toBe(lossAt(steps));
    expect(c.timeMs[i]).toBe(steps);
  });

  test('rows are real steps with their own values, in step order', () => {
    for (let i = 0; i < c.step.length; i++) {
      if (i > 0) expect(c.step[i]).toBeGreaterThan(c.step[i - 1]);
      expect(Object.is(c.loss[i], lossAt(c.step[i]))).toBe(true);
      expect(c.timeMs[i]).toBe(c.step[i]);
    }
  });

  test('the first NaN keeps its step; the spike, the dip and the gradient spike survive', () => {
    const firstBad = c.step[c.loss.findIndex((v) => !Number.isFinite(v))];
    expect(firstBad).toBe(FIRST_NAN);
    expect(rowOf(SPIKE)).toBeGreaterThanOrEqual(0);
    expect(rowOf(DIP)).toBeGreaterThanOrEqual(0);
    expect(c.gradNorms.w[rowOf(GRAD_SPIKE)]).toBe(1e9);
    // After the first NaN, every bucket still shows one: the curve does not turn finite.
    const tail = Array.from(c.loss.subarray(rowOf(FIRST_NAN), c.step.length - 1));
    expect(tail.filter((v) => Number.isNaN(v)).length).toBeGreaterThan(tail.length / 3);
  });

  test('the thinned part is step-uniform: at most three rows per bucket of `width` steps', () => {
    const perBucket = new Map<number, number>();
    for (const s of c.step) {
      const k = Math.floor(s / b.width);
      perBucket.set(k, (perBucket.get(k) ?? 0) + 1);
    }
    expect(b.width).toBeGreaterThan(1);
    // At most `cap` newest steps arrived in full since the last thinning; the buckets before are capped.
    const buckets = [...perBucket.entries()].filter(([k]) => (k + 1) * b.width <= steps - cap);
    expect(buckets.length).toBeGreaterThan(10);
    expect(Math.max(...buckets.map(([, n]) => n))).toBeLessThanOrEqual(3);
  });
});

test('a live run in the monitor history holds at most MAX_ROWS rows at any length', () => {
  const h = new RunHistory(null);
  const run = h.start('/long.ts');
  // The runner's own thinning: every step, then every 2nd, 4th, ... each for 50,000 sent steps.
  let step = 0;
  let stride = 1;
  let sent = 0;
  let most = 0;
  for (let k = 0; k < 400_000; k++) {
    step += stride;
    h.append(run.meta.id, {
      step,
      loss: 1 / step,
      timeMs: step,
      gradNorms: { w: 1 },
      lr: null,
    });
    most = Math.max(most, h.current!.builder.length);
    if (++sent === 50_000) [stride, sent] = [stride * 2, 0];
  }
  expect(most).toBe(MAX_ROWS);
  expect(h.latest()!.columns.step.at(-1)).toBe(step);
  h.finish(run.meta.id, 'done', null);
  expect(h.latest()!.columns.step.length).toBeLessThanOrEqual(MAX_ROWS);
  expect(h.latest()!.columns.step.at(-1)).toBe(step);
});

test('the CLI record (runner metrics) thins the same way, in place', () => {
  const metrics: TrainMetric[] = [];
  let width = 1;
  let most = 0;
  for (let s = 1; s <= 100_000; s++) {
    if (metrics.length >= 512) width = thinMetrics(metrics, width, 512);
    metrics.push({
      step: s,
      loss: s === 54_321 ? 1e6 : s >= 90_001 ? 'NaN' : 1 + 1 / s,
      timeMs: s,
      gradNorms: { w: s === 77_777 ? 'Infinity' : 0.5 },
      lr: 0.01,
    });
    most = Math.max(most, metrics.length);
  }
  expect(most).toBe(512);
  expect(width).toBeGreaterThan(1);
  expect(metrics.at(-1)!.step).toBe(100_000);
  expect(metrics.find((m) => m.gradNorms.w === 'Infinity')?.step).toBe(77_777);
  expect(metrics.find((m) => m.loss === 1e6)?.step).toBe(54_321);
  expect(metrics.find((m) => m.loss === 'NaN')?.step).toBe(90_001);
});
