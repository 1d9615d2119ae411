// Drawing reduction of the training monitor: every spike survives, buckets line up across runs.
import { describe, expect, test } from 'vitest';
import {
  BlockIndex,
  bucketBounds,
  gridX,
  makeGrid,
  reduceSeries,
  stepsPerSecond,
} from '../../webview/monitor/downsample';

const steps = (n: number, from = 1): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => from + i);

describe('makeGrid', () => {
  test('one bucket per step when the steps fit the pixels', () => {
    const g = makeGrid(1, 300, 500);
    expect(g).toEqual({ x0: 1, width: 1, count: 300, exact: true });
    expect(Array.from(gridX(g).slice(0, 3))).toEqual([1, 2, 3]);
  });

  test('pixel-wide buckets otherwise, two x per bucket', () => {
    const g = makeGrid(1, 1_000_000, 400);
    expect(g.exact).toBe(false);
    expect(g.count).toBe(400);
    expect(g.width).toBe(2500);
    expect(gridX(g).length).toBe(800);
  });
});

describe('reduceSeries', () => {
  test('keeps a single spike among a million steps, min before max in occurrence order', () => {
    const n = 1_000_000;
    const s = steps(n);
    const y = new Float64Array(n).fill(1);
    y[123_456] = 50; // spike up
    y[654_321] = -7; // spike down
    const g = makeGrid(1, n, 300);
    const out = reduceSeries(y, bucketBounds(s, g), g);
    expect(out.length).toBe(600);
    expect(Math.max(...(out as number[]))).toBe(50);
    expect(Math.min(...(out as number[]))).toBe(-7);
    const b = Math.floor((654_321 + 1 - 1) / g.width);
    // The bucket's maximum (1, first seen at the bucket's start) occurs before the dip: max, then min.
    expect([out[2 * b], out[2 * b + 1]]).toEqual([1, -7]);
  });

  test('orders a bucket as max then min when the max occurs first', () => {
    const s = steps(10);
    const y = Float64Array.from([5, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    const g = makeGrid(1, 10, 1);
    expect(reduceSeries(y, bucketBounds(s, g), g)).toEqual([5, 0]);
  });

  test('exact grid returns the values themselves; gaps and NaN become null', () => {
    const s = Float64Array.from([1, 2, 4, 5]); // step 3 missing (a non-scalar backward)
    const y = Float64Array.from([0.5, NaN, 0.25, Infinity]);
    const g = makeGrid(1, 5, 100);
    expect(reduceSeries(y, bucketBounds(s, g), g)).toEqual([0.5, null, null, 0.25, null]);
  });

  test('floor clamps zeros for log scales', () => {
    const s = steps(3);
    const g = makeGrid(1, 3, 10);
    expect(reduceSeries(Float64Array.from([0, 1e-20, 2]), bucketBounds(s, g), g, 1e-12)).toEqual([
      1e-12, 1e-12, 2,
    ]);
  });

  test('a shorter earlier run lands in the same buckets and leaves the rest empty', () => {
    const g = makeGrid(1, 1000, 10);
    const prev = steps(300);
    const out = reduceSeries(new Float64Array(300).fill(2), bucketBounds(prev, g), g);
    expect(out.slice(0, 6)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(out.slice(6)).toEqual(new Array(14).fill(null));
  });

  test('a zoomed range only looks at its own rows', () => {
    const n = 1000;
    const y = Float64Array.from({ length: n }, (_, i) => i);
    const g = makeGrid(101, 200, 1000);
    const out = reduceSeries(y, bucketBounds(steps(n), g), g);
    expect(out.length).toBe(100);
    expect(out[0]).toBe(100);
    expect(out[99]).toBe(199);
  });
});

test('stepsPerSecond over a window of rows, counted in steps, incrementally', () => {
  const t = Float64Array.from({ length: 50 }, (_, i) => i * 10); // a row every 10 ms
  const r = stepsPerSecond(steps(50), t, 20);
  expect(Number.isNaN(r[0])).toBe(true);
  expect(r[1]).toBeCloseTo(100);
  expect(r[49]).toBeCloseTo(100);
  const out = new Float64Array(50).fill(-1);
  stepsPerSecond(steps(50), t, 20, 40, out);
  expect(out[39]).toBe(-1);
  expect(out[40]).toBeCloseTo(100);
  // Every 8th step recorded (a stride, or a capped record): still the script's steps per second.
  const every8th = Float64Array.from({ length: 50 }, (_, i) => 8 * (i + 1));
  expect(stepsPerSecond(every8th, t, 20)[49]).toBeCloseTo(800);
});

describe('BlockIndex', () => {
  test('reducing through the index gives exactly the row-by-row result, ragged edges, NaN and infinities included', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const n = 20_000;
    const s = Float64Array.from({ length: n }, (_, i) => 1 + i + (i > 5000 ? 3 : 0)); // a gap in the steps
    const y = Float64Array.from({ length: n }, () => {
      const r = rnd();
      return r < 0.01 ? NaN : r < 0.015 ? Infinity : r < 0.02 ? -Infinity : Math.round(r * 20); // many ties
    });
    const idx = new BlockIndex();
    // Indexed in uneven pieces, as appends arrive.
    for (let k = 0; k < n; k += 777) idx.update(y, Math.min(n, k + 777));
    for (const [x0, x1, px] of [
      [1, n + 3, 300],
      [17, 9000, 97],
      [4990, 5020, 1000],
      [1, n + 3, 50_000],
    ] as const) {
      const g = makeGrid(x0, x1, px);
      const bounds = bucketBounds(s, g);
      expect(reduceSeries(y, bounds, g, -Infinity, idx)).toEqual(reduceSeries(y, bounds, g));
    }
  });

  test('a stale index (fewer rows than the column) still gives the right answer', () => {
    const y = Float64Array.from({ length: 1000 }, (_, i) => i);
    const idx = new BlockIndex().update(y, 100);
    const g = makeGrid(1, 1000, 1);
    expect(
      reduceSeries(
        y,
        bucketBounds(
          Float64Array.from({ length: 1000 }, (_, i) => i + 1),
          g,
        ),
        g,
        -Infinity,
        idx,
      ),
    ).toEqual([0, 999]);
  });
});
