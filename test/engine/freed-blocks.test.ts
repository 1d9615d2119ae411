// A training step's large arrays, freed together, are memory the next step finds already in
// place: counted in page faults (the first touch of a page the system hands out), in a Node
// process of its own that collects garbage between steps as a benchmark does. Without the
// freed block of src/engine/freed-blocks.ts, glibc gives the three 1 MiB arrays of each
// 512x512 matmul's forward and backward back to the system and every step faults them in
// again (768 pages). Linux with glibc only: other allocators keep their own rules.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const glibc =
  process.platform === 'linux' &&
  (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
    ?.glibcVersionRuntime !== undefined;

const STEPS = 8;

/** The child: forward and backward of a 512x512 product, page faults of each step. */
const script = (engine: string): string => `
import * as torch from ${JSON.stringify(engine)};
const a = torch.randn(512, 512, { requiresGrad: true });
const b = torch.randn(512, 512, { requiresGrad: true });
const g = torch.ones(512, 512);
const faults = [];
for (let i = 0; i < ${STEPS + 2}; i++) {
  globalThis.gc();
  const before = process.resourceUsage().minorPageFault;
  a.matmul(b).backward(g);
  a.grad = null;
  b.grad = null;
  faults.push(process.resourceUsage().minorPageFault - before);
}
console.log(JSON.stringify(faults.slice(2)));
`;

it.skipIf(!glibc)(
  'keeps the memory a step freed for the next step',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradlens-freed-'));
    try {
      const engine = join(dir, 'engine.mjs');
      await esbuild.build({
        entryPoints: [join(root, 'src/engine/index.ts')],
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        outfile: engine,
        logLevel: 'error',
      });
      const out = execFileSync(
        process.execPath,
        ['--expose-gc', '--input-type=module', '-e', script(engine)],
        {
          encoding: 'utf8',
          timeout: 60_000,
          // One thread: the workers' own memory stays out of the count.
          env: { ...process.env, GRADLENS_THREADS: '1' },
        },
      );
      const faults = (JSON.parse(out) as number[]).sort((x, y) => x - y);
      // The collector may free an array only after the next step has started (its sweeping
      // runs concurrently), which costs that step fresh pages: the median step counts.
      expect(faults[STEPS >> 1]).toBeLessThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  90_000,
);
