// Shared by the runner and CLI tests: the built runner must exist (npm test builds first;
// a lone `vitest run test/runner` builds here).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'scripts');
export const CHILD = path.join(ROOT, 'dist', 'runner', 'child.cjs');
export const CLI = path.join(ROOT, 'bin', 'gradlens.cjs');

export function ensureBuilt(): void {
  if (!existsSync(CHILD) || !existsSync(path.join(ROOT, 'dist', 'cli', 'cli.cjs'))) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
}
