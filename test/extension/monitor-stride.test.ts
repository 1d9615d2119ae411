import { expect, test } from 'vitest';
import { strideNote } from '../../src/protocol/stride-note';

test('a thinned record says which steps it shows', () => {
  expect(strideNote(2)).toBe(
    'every 2nd step shown: the script makes steps faster than the monitor keeps',
  );
  expect(strideNote(1)).toBeNull();
  expect([3, 4, 11, 12, 13, 21, 64].map((n) => strideNote(n)!.split(' ')[1])).toEqual([
    '3rd',
    '4th',
    '11th',
    '12th',
    '13th',
    '21st',
    '64th',
  ]);
});

test('a record capped on rows says how its buckets are drawn, and that the last step is exact', () => {
  expect(strideNote(1, 512)).toBe(
    'long run: older steps shown in buckets of 512 (lowest and highest loss, largest gradient); newer steps all shown; the last step exact',
  );
  expect(strideNote(4, 2048)).toContain('buckets of 2,048');
  // The runner's stride is still named as before (the monitor's e2e test reads it).
  expect(strideNote(4, 2048)).toMatch(/newer every 4th step shown;/);
  // Buckets no wider than the runner's stride add nothing to say.
  expect(strideNote(8, 8)).toBe(strideNote(8));
});
