// CSV export: every step, exact numbers, missing values empty, user-named columns quoted.
import { expect, test } from 'vitest';
import { toCsv } from '../../src/extension/monitor/csv';

test('one row per step with a column per parameter', () => {
  const csv = toCsv({
    step: Float64Array.from([1, 2, 3]),
    loss: Float64Array.from([0.1 + 0.2, NaN, Infinity]),
    timeMs: Float64Array.from([1.5, 3, 4.25]),
    lr: Float64Array.from([0.01, NaN, 1e-7]),
    gradNorms: {
      'fc1.weight': Float64Array.from([1, 2, -Infinity]),
      'odd,"name"': Float64Array.from([NaN, 0, 5e-324]),
    },
  });
  expect(csv.split('\n')).toEqual([
    'step,time_ms,loss,lr,grad_norm[fc1.weight],"grad_norm[odd,""name""]"',
    '1,1.5,0.30000000000000004,0.01,1,NaN',
    '2,3,NaN,,2,0',
    '3,4.25,Infinity,1e-7,-Infinity,5e-324',
    '',
  ]);
});

test('a million steps export in full', () => {
  const n = 1_000_000;
  const step = Float64Array.from({ length: n }, (_, i) => i + 1);
  const csv = toCsv({ step, loss: step, timeMs: step, lr: step, gradNorms: {} });
  const lines = csv.trimEnd().split('\n');
  expect(lines.length).toBe(n + 1);
  expect(lines[n]).toBe('1000000,1000000,1000000,1000000');
});
