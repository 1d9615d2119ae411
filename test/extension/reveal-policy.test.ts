import { expect, test } from 'vitest';
import { mayReveal } from '../../src/extension/reveal-policy';
import type { GraphSnapshot } from '../../src/protocol/messages';

const snapshot = {
  index: 1,
  trigger: 'backward',
  outputs: [],
  anomalies: [],
  collapsed: false,
  detail: 'full',
  nodes: [
    {
      id: 'n0',
      kind: 'function',
      name: 'MulBackward0',
      next: [],
      value: null,
      grad: null,
      location: { file: '/lib/model.py', line: 3, column: 1 },
      modulePath: [],
      attachedTo: null,
      sequenceNr: 0,
    },
  ],
} satisfies GraphSnapshot;

test("the run's script, files its graph points at, and workspace files may be opened", () => {
  const context = { script: '/elsewhere/train.py', snapshot, workspaceFolders: ['/ws'] };
  expect(mayReveal('/elsewhere/train.py', context)).toBe(true);
  expect(mayReveal('/lib/model.py', context)).toBe(true);
  expect(mayReveal('/ws/sub/a.ts', context)).toBe(true);
});

test('anything else a page names is refused', () => {
  const context = { script: '/ws/train.py', snapshot: null, workspaceFolders: ['/ws'] };
  expect(mayReveal('/etc/passwd', context)).toBe(false);
  expect(mayReveal('/ws/../etc/passwd', context)).toBe(false);
  expect(mayReveal('/wsx/a.ts', context)).toBe(false);
  expect(mayReveal('relative/a.ts', context)).toBe(false);
  expect(mayReveal('/ws', context)).toBe(false);
});

test('Windows paths are matched whatever the case of the drive letter and the separators', () => {
  const win = {
    script: 'C:\\Users\\me\\my work\\train.py',
    snapshot: {
      ...snapshot,
      nodes: [
        { ...snapshot.nodes[0], location: { file: 'D:\\lib\\model.py', line: 3, column: 1 } },
      ],
    },
    workspaceFolders: ['c:\\Users\\me\\my work'],
  };
  expect(mayReveal('c:\\users\\me\\my work\\train.py', win)).toBe(true);
  expect(mayReveal('d:/lib/model.py', win)).toBe(true);
  expect(mayReveal('C:\\Users\\me\\my work\\sub\\a.ts', win)).toBe(true);
  expect(mayReveal('C:\\Users\\me\\my work\\..\\secret.txt', win)).toBe(false);
  expect(mayReveal('C:\\Users\\me\\my workshop\\a.ts', win)).toBe(false);
  expect(mayReveal('E:\\my work\\a.ts', win)).toBe(false);
  expect(mayReveal('my work\\a.ts', win)).toBe(false);
});
