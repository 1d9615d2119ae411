// The runner's bundle cache (src/runner/bundle-cache.ts) with esbuild for real: an unchanged
// script is served from the cache, any change to it or to a file it imports bundles it again,
// and a script saved right before its build is not kept (its hash could be of a newer text).
// The folder keeps only the entries used most recently, and drops temporary files left behind.
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bundleScript } from '../../src/runner/bundle';
import { pruneBundleCache } from '../../src/runner/bundle-cache';

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

/** Sets a file's modification time to `minutesAgo` minutes ago. */
function age(file: string, minutesAgo: number): void {
  const t = new Date(Date.now() - minutesAgo * 60_000);
  utimesSync(file, t, t);
}

it('prunes the folder to the entries used most recently when a new entry is stored', async () => {
  const scripts = [0, 1, 2].map((i) => write(`s${i}.ts`, `export const out = ${i};\n`));
  const bundles: string[] = [];
  for (const s of scripts) bundles.push((await bundleScript(s, cache)).file);
  const manifestOf = (bundle: string): string => bundle.replace(/\.bundle\.mjs$/, '.json');
  // Entry 0 is the oldest written, but used again just now; entry 1 was last used longest ago.
  bundles.forEach((b, i) => {
    age(b, 60 - i);
    age(manifestOf(b), 60 - i);
  });
  expect((await bundleScript(scripts[0], cache)).cached).toBe(true);
  // Left by runs that died while writing: one an hour and more old, one being written now.
  const key = path.basename(bundles[2]).slice(0, 32);
  const staleTemp = path.join(cache, `${key}.bundle.mjs.4242.tmp`);
  const liveTemp = path.join(cache, `${key}.json.4243.tmp`);
  writeFileSync(staleTemp, '');
  age(staleTemp, 120);
  writeFileSync(liveTemp, '');

  expect(pruneBundleCache(cache, 2)).toBe(3);
  expect(existsSync(bundles[1]) || existsSync(manifestOf(bundles[1]))).toBe(false);
  for (const i of [0, 2])
    expect(existsSync(bundles[i]) && existsSync(manifestOf(bundles[i]))).toBe(true);
  expect(existsSync(staleTemp)).toBe(false);
  expect(existsSync(liveTemp)).toBe(true);
  rmSync(liveTemp);

  // The cache works on after pruning: a new entry is stored (its own pruning, to MAX_ENTRIES,
  // keeps all four), and the pruned script is bundled again.
  const fourth = write('s3.ts', 'export const out = 3;\n');
  expect(await outOf((await bundleScript(fourth, cache)).file)).toBe(3);
  expect(readdirSync(cache).sort()).toHaveLength(6);
  expect((await bundleScript(scripts[1], cache)).cached).toBe(false);
});
