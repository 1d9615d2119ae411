// The monitor's live feed (src/extension/monitor/live-feed.ts) past the host's cap on rows: a
// run of 20,000 steps reaches MAX_ROWS twice, and each time the page is sent the capped record
// whole again. A page that applies what it is sent, as webview/monitor/main.ts does, ends with
// the host's record, and each re-sent record ends with the newest step, exact.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { LiveFeed, type FedRun } from '../../src/extension/monitor/live-feed';
import { RunHistory } from '../../src/extension/monitor/history';
import type { TrainMetric } from '../../src/protocol/messages';
import type { RunColumns, ToMonitor } from '../../src/protocol/monitor';
import { MAX_ROWS } from '../../src/protocol/record-cap';
import { strideNote } from '../../src/protocol/stride-note';

const STEPS = 20_480;
/**
 * Batches that end at the cap: the page holds MAX_ROWS rows, and the next batch's first step
 * thins the host's record (the runner's batches vary in size, see src/runner/metric-stream.ts).
 */
const BATCH = 256;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A loss that differs at every step, so the newest row read back is that step's and no other. */
const lossAt = (step: number): number => 1 / step + Math.sin(step) / 1000;

function metric(step: number): TrainMetric {
  return { step, loss: lossAt(step), timeMs: step, gradNorms: { w: 1 + (step % 7) }, lr: 0.01 };
}

/** What the page holds: the record it was last sent whole, and the rows appended since. */
class Page {
  step: number[] = [];
  loss: number[] = [];
  w: number[] = [];
  most = 0;

  take(m: ToMonitor): void {
    if (m.type === 'monitor/replay') this.reset(m.current?.columns ?? null);
    else if (m.type === 'monitor/append') {
      // A gap would drop steps (the page reports it as an error).
      expect(m.from).toBe(this.step.length);
      this.add(m.columns);
    }
  }

  private reset(c: RunColumns | null): void {
    this.step = [];
    this.loss = [];
    this.w = [];
    if (c !== null) this.add(c);
  }

  private add(c: RunColumns): void {
    this.step.push(...c.step);
    this.loss.push(...c.loss);
    // A record without rows has no parameter column yet.
    if ('w' in c.gradNorms) this.w.push(...c.gradNorms.w);
    this.most = Math.max(this.most, this.step.length);
  }
}

test('past MAX_ROWS the page is re-sent the capped record, ending with the newest step exact', () => {
  const history = new RunHistory(null);
  const posted: ToMonitor[] = [];
  const page = new Page();
  const feed = new LiveFeed(
    history,
    (m) => {
      posted.push(m);
      page.take(m);
    },
    () => true,
  );
  const live = history.start('/long.ts');
  const run: FedRun = { id: live.meta.id, stride: 1, width: 1 };
  feed.start(run);

  /** Each re-sent record, with the newest step sent before it. */
  const resent: { rows: number; last: number; lastLoss: number; newest: number }[] = [];
  for (let from = 1; from <= STEPS; from += BATCH) {
    const batch = Array.from({ length: BATCH }, (_, k) => metric(from + k));
    const before = posted.length;
    feed.metrics(run, batch, undefined);
    for (const m of posted.slice(before))
      if (m.type === 'monitor/replay' && m.current !== null)
        resent.push({
          rows: m.current.columns.step.length,
          last: m.current.columns.step.at(-1)!,
          lastLoss: m.current.columns.loss.at(-1)!,
          newest: from + BATCH - 1,
        });
    vi.advanceTimersByTime(100);
  }
  feed.end(run);

  // The page held MAX_ROWS rows before the first cap, and never more.
  expect(page.most).toBe(MAX_ROWS);
  expect(resent.length).toBe(live.builder.thinned);
  expect(resent.length).toBeGreaterThanOrEqual(2);
  for (const r of resent) {
    expect(r.rows).toBeLessThanOrEqual(MAX_ROWS);
    expect(r.last).toBe(r.newest);
    expect(r.lastLoss).toBe(lossAt(r.newest));
  }
  // The page was told how the record is drawn now.
  const width = live.builder.width;
  expect(width).toBeGreaterThan(1);
  const notes = posted.flatMap((m) => (m.type === 'monitor/status' ? [m.message] : []));
  expect(notes.at(-1)).toBe(strideNote(1, width));
  // What the page ends with is the host's capped record, row for row.
  const host = history.record(run.id)!.columns;
  expect(page.step).toEqual([...host.step]);
  expect(page.loss).toEqual([...host.loss]);
  expect(page.w).toEqual([...host.gradNorms.w]);
  expect(page.step.length).toBeLessThanOrEqual(MAX_ROWS);
  expect(page.step.at(-1)).toBe(STEPS);
  expect(page.loss.at(-1)).toBe(lossAt(STEPS));
});
