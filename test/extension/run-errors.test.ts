import { expect, test } from 'vitest';
import { errorDiagnostics, errorSummary } from '../../src/extension/run-errors';
import type { RunError } from '../../src/protocol/messages';

const thrown: RunError = {
  kind: 'exception',
  message: 'Error: shapes (2, 3) and (4,) cannot be multiplied',
  stack: 'Error: ...',
  location: { file: '/ws/a.ts', line: 7, column: 13 },
};

test('a located error becomes a 0-based diagnostic in its file', () => {
  expect(errorDiagnostics([thrown])).toEqual([
    { file: '/ws/a.ts', line: 6, column: 12, message: thrown.message },
  ]);
});

test('syntax errors say so; errors without a location give no diagnostic', () => {
  const syntax: RunError = {
    kind: 'syntax',
    message: 'Expected ";"',
    stack: null,
    location: { file: '/ws/b.ts', line: 1, column: 1 },
  };
  const timeout: RunError = {
    kind: 'timeout',
    message: 'script did not finish within 1 s and was stopped',
    stack: null,
    location: null,
  };
  expect(errorDiagnostics([syntax, timeout])).toEqual([
    { file: '/ws/b.ts', line: 0, column: 0, message: 'Syntax error: Expected ";"' },
  ]);
});

test('notification text names the script and the line', () => {
  expect(errorSummary([thrown], 'a.ts')).toBe(`Gradlens: a.ts threw (line 7): ${thrown.message}`);
  expect(
    errorSummary([{ kind: 'no-backward', message: 'x', stack: null, location: null }], 'a.ts'),
  ).toContain('never called backward()');
  expect(errorSummary([], 'a.ts')).toBe('Gradlens: a.ts failed.');
  // A script that could not start did not throw.
  expect(
    errorSummary(
      [
        {
          kind: 'launch',
          message: 'torch is not importable by /usr/bin/python3',
          stack: null,
          location: null,
        },
      ],
      't.py',
    ),
  ).toBe('Gradlens: could not run t.py: torch is not importable by /usr/bin/python3');
});
