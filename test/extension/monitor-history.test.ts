// The monitor's run history: recording, per-script overlays, pruning, and the on-disk format
// (NaN and infinities must come back exactly).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { RunHistory } from '../../src/extension/monitor/history';
import { ColumnBuilder } from '../../src/protocol/run-columns';
import type { TrainMetric } from '../../src/protocol/messages';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'gradlens-history-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const metric = (step: number, extra: Partial<TrainMetric> = {}): TrainMetric => ({
  step,
  loss: 1 / step,
  timeMs: step * 2,
  gradNorms: { 'fc.weight': step / 10, 'fc.bias': 0.5 },
  lr: 0.01,
  ...extra,
});

test('records a live run and reads it back after a restart, non-finite values intact', () => {
  const dir = tmp();
  const h = new RunHistory(dir);
  const run = h.start('/ws/train.ts', 1000);
  for (let s = 1; s <= 5; s++) h.append(run.meta.id, metric(s));
  h.append(
    run.meta.id,
    metric(6, { loss: 'NaN', gradNorms: { 'fc.weight': 'Infinity' }, lr: null }),
  );
  expect(h.latest()?.columns.step.length).toBe(6);
  h.finish(run.meta.id, 'done', null);

  const again = new RunHistory(dir);
  const r = again.latest()!;
  expect(r.meta).toMatchObject({ id: run.meta.id, script: '/ws/train.ts', status: 'done' });
  expect(Array.from(r.columns.step)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(r.columns.loss[5]).toBeNaN();
  expect(r.columns.gradNorms['fc.weight'][5]).toBe(Infinity);
  expect(r.columns.gradNorms['fc.bias'][5]).toBeNaN(); // no gradient at that step
  expect(r.columns.lr[5]).toBeNaN();
  expect(r.columns.lr[0]).toBe(0.01);
});

test('appends to another run id are refused', () => {
  const h = new RunHistory(null);
  const a = h.start('/a.ts');
  expect(h.append('nope', metric(1))).toBe(false);
  expect(h.append(a.meta.id, metric(1))).toBe(true);
});

test('previous() gives earlier runs of the same script only, newest first', () => {
  const h = new RunHistory(null);
  const ids: string[] = [];
  for (const [k, script] of ['/a.ts', '/b.ts', '/a.ts', '/a.ts'].entries()) {
    const r = h.start(script, 1000 + k);
    h.append(r.meta.id, metric(1));
    h.finish(r.meta.id, 'done', null);
    ids.push(r.meta.id);
  }
  const live = h.start('/a.ts', 2000);
  expect(h.previous('/a.ts', live.meta.id).map((r) => r.meta.id)).toEqual([ids[3], ids[2], ids[0]]);
  expect(h.previous('/a.ts', live.meta.id, 2).length).toBe(2);
  expect(h.latest()?.meta.id).toBe(live.meta.id);
});

test('keeps at most perScript runs per script and deletes the files of older ones', () => {
  const dir = tmp();
  const h = new RunHistory(dir, { perScript: 2, total: 10 });
  for (let k = 0; k < 4; k++) {
    const r = h.start('/a.ts', 1000 + k);
    h.append(r.meta.id, metric(1));
    h.finish(r.meta.id, 'done', null);
  }
  expect(readdirSync(dir).length).toBe(4); // 2 runs x (header + data)
  expect(new RunHistory(dir).previous('/a.ts', null).length).toBe(2);
});

test('a damaged header or truncated data file loses that run only', () => {
  const dir = tmp();
  const h = new RunHistory(dir);
  const good = h.start('/a.ts', 1000);
  h.append(good.meta.id, metric(1));
  h.finish(good.meta.id, 'done', null);
  const bad = h.start('/a.ts', 2000);
  h.append(bad.meta.id, metric(1));
  h.finish(bad.meta.id, 'done', null);
  writeFileSync(join(dir, `${bad.meta.id}.f64`), new Uint8Array(3));
  writeFileSync(join(dir, 'garbage.json'), '{not json');
  const again = new RunHistory(dir);
  expect(again.previous('/a.ts', null).map((r) => r.meta.id)).toEqual([good.meta.id]);
});

test('ColumnBuilder grows, fills NaN for parameters that appear late, and copies slices', () => {
  const b = new ColumnBuilder(16);
  for (let s = 1; s <= 40; s++)
    b.append({
      step: s,
      loss: s,
      timeMs: s,
      lr: NaN,
      gradNorms: s > 30 ? { late: s } : { early: s },
    });
  const v = b.view();
  expect(v.step.length).toBe(40);
  expect(v.gradNorms.late[0]).toBeNaN();
  expect(v.gradNorms.late[30]).toBe(31);
  expect(v.gradNorms.early[35]).toBeNaN();
  const c = b.copy(38);
  expect(Array.from(c.step)).toEqual([39, 40]);
  expect(() => b.appendColumns({ ...c, loss: new Float64Array(1) })).toThrow(
    /column loss has 1 rows, step has 2/,
  );
});
