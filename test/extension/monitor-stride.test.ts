import { expect, test } from 'vitest';
import { strideNote } from '../../src/extension/monitor/stride-note';

test('a thinned record says which steps it shows', () => {
  expect(strideNote(2)).toBe(
    'every 2nd step shown: the script makes steps faster than the monitor keeps',
  );
  expect([1, 3, 4, 11, 12, 13, 21, 64].map((n) => strideNote(n).split(' ')[1])).toEqual([
    '1st',
    '3rd',
    '4th',
    '11th',
    '12th',
    '13th',
    '21st',
    '64th',
  ]);
});
