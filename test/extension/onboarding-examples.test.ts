// "Gradlens: Open Examples" copy logic on real folders: every shipped example arrives, a
// second copy adds only what is missing and never touches the user's edits.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import {
  copyMissingExamples,
  defaultExamplesFolder,
  FIRST_EXAMPLE,
  listExamples,
} from '../../src/extension/onboarding/example-files';

const EXAMPLES = join(__dirname, '../../examples');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradlens-onboarding-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the examples are the TypeScript scripts and their Python twins, the first one among them', () => {
  const all = listExamples(EXAMPLES);
  expect(all).toContain(FIRST_EXAMPLE);
  expect(all).toContain(join('python', 'retain_grad.py'));
  expect(all).toContain(join('python', 'autograd_seed.ipynb'));
  expect(all.filter((f) => f.endsWith('.ts'))).toEqual(
    readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.ts'))
      .sort(),
  );
  expect(all.filter((f) => f.endsWith('.py'))).toEqual(
    readdirSync(join(EXAMPLES, 'python'))
      .filter((f) => f.endsWith('.py'))
      .sort()
      .map((f) => join('python', f)),
  );
});

test('a first copy creates the folder and copies every example byte for byte', () => {
  const target = join(dir, 'nested', 'gradlens-examples');
  const { copied, kept } = copyMissingExamples(EXAMPLES, target);
  expect(copied).toEqual(listExamples(EXAMPLES));
  expect(kept).toEqual([]);
  for (const rel of copied)
    expect(readFileSync(join(target, rel), 'utf8')).toBe(readFileSync(join(EXAMPLES, rel), 'utf8'));
});

test('a second copy keeps edited files and restores deleted ones', () => {
  copyMissingExamples(EXAMPLES, dir);
  writeFileSync(join(dir, FIRST_EXAMPLE), '// my edits\n');
  writeFileSync(join(dir, 'python', 'retain_grad.py'), '# my edits\n');
  rmSync(join(dir, 'nn-line.ts'));
  const { copied, kept } = copyMissingExamples(EXAMPLES, dir);
  expect(copied).toEqual(['nn-line.ts']);
  expect(kept).toHaveLength(listExamples(EXAMPLES).length - 1);
  expect(readFileSync(join(dir, FIRST_EXAMPLE), 'utf8')).toBe('// my edits\n');
  expect(readFileSync(join(dir, 'python', 'retain_grad.py'), 'utf8')).toBe('# my edits\n');
  expect(readFileSync(join(dir, 'nn-line.ts'), 'utf8')).toBe(
    readFileSync(join(EXAMPLES, 'nn-line.ts'), 'utf8'),
  );
});

test("files of the user's own in the folder are left alone", () => {
  writeFileSync(join(dir, 'mine.ts'), 'mine');
  mkdirSync(join(dir, 'python'));
  writeFileSync(join(dir, 'python', 'mine.py'), 'mine');
  copyMissingExamples(EXAMPLES, dir);
  expect(readFileSync(join(dir, 'mine.ts'), 'utf8')).toBe('mine');
  expect(readFileSync(join(dir, 'python', 'mine.py'), 'utf8')).toBe('mine');
});

test('a folder that cannot be written is an error, not a silent partial copy', () => {
  writeFileSync(join(dir, 'a-file'), '');
  expect(() => copyMissingExamples(EXAMPLES, join(dir, 'a-file'))).toThrow();
});

test('the default folder is gradlens-examples in the home folder', () => {
  expect(defaultExamplesFolder('/home/ada')).toBe(join('/home/ada', 'gradlens-examples'));
});
