// Stack frames as Node prints them on Windows: drive letters, backslashes, spaces, file URLs.
import { expect, it } from 'vitest';
import { cleanStack, isUserFile, parseFrame, userLocation } from '../../src/runner/stack';

const SCRIPT = 'C:\\Users\\me\\my work\\train.ts';

it('reads Windows paths and file URLs out of frames', () => {
  expect(parseFrame(`    at main (${SCRIPT}:3:5)`)).toEqual({ file: SCRIPT, line: 3, column: 5 });
  expect(parseFrame(`    at ${SCRIPT}:12:1`)).toEqual({ file: SCRIPT, line: 12, column: 1 });
  expect(parseFrame('    at f (file:///C:/Users/me/my%20work/train.ts:7:9)')).toEqual({
    file: SCRIPT,
    line: 7,
    column: 9,
  });
  expect(parseFrame('    at f (d:\\a (1)\\b.ts:2:3)')).toEqual({
    file: 'd:\\a (1)\\b.ts',
    line: 2,
    column: 3,
  });
});

it("takes a Windows user's frame for user code, and a relative one for none", () => {
  expect(isUserFile(SCRIPT)).toBe(true);
  expect(isUserFile('\\\\server\\share\\train.ts')).toBe(true);
  expect(isUserFile('my work\\train.ts')).toBe(false);
  const stack = [
    'Error: boom',
    '    at node:internal/main:1:1',
    `    at main (${SCRIPT}:3:5)`,
  ].join('\n');
  expect(userLocation(stack)).toEqual({ file: SCRIPT, line: 3, column: 5 });
});

it('shows Windows file URLs in traces as the paths they name', () => {
  const stack = ['Error: boom', '    at f (file:///C:/Users/me/my%20work/train.ts:7:9)'].join('\n');
  expect(cleanStack(stack)).toBe(`Error: boom\n    at f (${SCRIPT}:7:9)`);
});
