// The CLI's --monitor HTML page: it says how a long run's record was thinned, and gives the
// last step's loss as recorded (NaN included).
import { expect, test } from 'vitest';
import { monitorHtml } from '../../src/cli/monitor';
import type { TrainMetric } from '../../src/protocol/messages';
import { strideNote } from '../../src/protocol/stride-note';

const metrics: TrainMetric[] = [
  { step: 512, loss: 0.5, timeMs: 1, gradNorms: { w: 1 }, lr: 0.01 },
  { step: 204_200, loss: 'NaN', timeMs: 2, gradNorms: { w: 'Infinity' }, lr: 0.01 },
];

test('a capped record says so, and its last step is read as recorded', () => {
  const html = monitorHtml(metrics, 'train.ts: training record', strideNote(4, 512));
  expect(html).toContain('2 steps (long run: older steps shown in buckets of 512');
  expect(html).toContain('final loss at step 204200 NaN');
});

test('a record of every step says nothing about thinning', () => {
  expect(monitorHtml(metrics, 't', strideNote(1))).not.toContain('long run');
});
