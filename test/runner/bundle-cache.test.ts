// The runner's bundle cache (src/runner/bundle-cache.ts) with esbuild for real: an unchanged
// script is served from the cache, any change to it or to a file it imports bundles it again,
// and a script saved right before its build is not kept (its hash could be of a newer text).
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bundleScript } from '../../src/runner/bundle';

let dir: string;
let cache: string;
let imports = 0;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-bundle-cache-'));
  cache = path.join(dir, 'cache');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `file` in the test folder, dated a minute ago unless `now`. */
function write(file: string, text: string, now = false): string {
  const f = path.join(dir, file);
  writeFileSync(f, text);
  if (!now) {
    const past = new Date(Date.now() - 60_000);
    utimesSync(f, past, past);
  }
  return f;
}

/** What the bundle's `out` export holds (a fresh import each time). */
async function outOf(file: string): Promise<unknown> {
  const m = (await import(`${pathToFileURL(file).href}?${++imports}`)) as { out: unknown };
  return m.out;
}

it('serves an unchanged script from the cache and bundles it again when it or an import changes', async () => {
  write('dep.ts', 'export const v: number = 1;\n');
  const script = write('main.ts', "import { v } from './dep';\nexport const out = v + 10;\n");
  const first = await bundleScript(script, cache);
  expect(first.cached).toBe(false);
  expect(await outOf(first.file)).toBe(11);

  const again = await bundleScript(script, cache);
  expect(again.cached).toBe(true);
  expect(again.file).toBe(first.file);
  expect(await outOf(again.file)).toBe(11);

  write('dep.ts', 'export const v: number = 2;\n');
  const depChanged = await bundleScript(script, cache);
  expect(depChanged.cached).toBe(false);
  expect(await outOf(depChanged.file)).toBe(12);
  expect((await bundleScript(script, cache)).cached).toBe(true);

  write('main.ts', "import { v } from './dep';\nexport const out = v + 20;\n");
  const scriptChanged = await bundleScript(script, cache);
  expect(scriptChanged.cached).toBe(false);
  expect(await outOf(scriptChanged.file)).toBe(22);
});

it('does not keep the bundle of a script saved right before the build', async () => {
  const script = write('fresh.ts', 'export const out = 3;\n', true);
  const first = await bundleScript(script, cache);
  expect(await outOf(first.file)).toBe(3);
  expect((await bundleScript(script, cache)).cached).toBe(false);
});

it('keeps nothing without a cache folder, and bundles to a temporary file when the folder cannot be made', async () => {
  const script = write('plain.ts', 'export const out = 4;\n');
  const a = await bundleScript(script);
  expect(a.cached).toBe(false);
  expect(await outOf(a.file)).toBe(4);
  a.cleanup();
  const blocker = write('not-a-folder', 'x');
  const b = await bundleScript(script, path.join(blocker, 'cache'));
  expect(b.cached).toBe(false);
  expect(await outOf(b.file)).toBe(4);
  b.cleanup();
});
