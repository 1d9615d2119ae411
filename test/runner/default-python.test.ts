import { expect, it } from 'vitest';
import { defaultPython } from '../../src/runner/default-python';

it('runs python on Windows and python3 elsewhere when no interpreter is chosen', () => {
  expect(defaultPython('win32')).toBe('python');
  expect(defaultPython('darwin')).toBe('python3');
  expect(defaultPython('linux')).toBe('python3');
});
