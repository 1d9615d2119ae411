import { expect, it } from 'vitest';
import { checkTitle } from '../../src/explain/gradcheck-text';

it('names the backward() checked, the node it was asked below and the file', () => {
  expect(checkTitle(1, null, '/work/qp.ts')).toBe('Gradient check of backward() #1 in qp.ts');
  expect(checkTitle(1, 'CubeBackward', 'C:\\work\\wrong.py')).toBe(
    'Gradient check of backward() #1 below CubeBackward in wrong.py',
  );
  expect(checkTitle(3, null, '/work/train.py')).toBe('Gradient check of backward() #3 in train.py');
});

it('names no backward() for a graph of none (a capture point)', () => {
  expect(checkTitle(null, null, '/work/stop.py')).toBe('Gradient check in stop.py');
});
