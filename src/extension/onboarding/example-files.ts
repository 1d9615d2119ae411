// The examples the .vsix ships (examples/*.ts, examples/python/*.py and *.ipynb, see .vscodeignore) and
// their copy into a folder of the user's. No `vscode` import, so tests run it on real folders.
import { constants, copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

/** The example a copy opens: short, and its CodeLens, hover and graph show every feature. */
export const FIRST_EXAMPLE = 'retain-grad.ts';

/** Where the examples go unless the user picks another folder. */
export function defaultExamplesFolder(home: string = homedir()): string {
  return path.join(home, 'gradlens-examples');
}

/** Paths relative to `examplesDir`, in the layout the copy keeps: `name.ts`, `python/name.py`, `python/name.ipynb`. */
export function listExamples(examplesDir: string): string[] {
  const files = (dir: string, ext: string): string[] =>
    existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isFile() && e.name.endsWith(ext))
          .map((e) => e.name)
          .sort()
      : [];
  return [
    ...files(examplesDir, '.ts'),
    ...files(path.join(examplesDir, 'python'), '.py').map((f) => path.join('python', f)),
    ...files(path.join(examplesDir, 'python'), '.ipynb').map((f) => path.join('python', f)),
  ];
}

export interface CopyResult {
  readonly copied: readonly string[];
  /** Already in the target folder: left alone, since the user may have edited them. */
  readonly kept: readonly string[];
}

/** Copies every example missing from `target` (created if needed); never overwrites a file. */
export function copyMissingExamples(examplesDir: string, target: string): CopyResult {
  const copied: string[] = [];
  const kept: string[] = [];
  for (const rel of listExamples(examplesDir)) {
    const to = path.join(target, rel);
    mkdirSync(path.dirname(to), { recursive: true });
    try {
      copyFileSync(path.join(examplesDir, rel), to, constants.COPYFILE_EXCL);
      copied.push(rel);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      kept.push(rel);
    }
  }
  return { copied, kept };
}
