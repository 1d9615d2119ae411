// Runs the TypeScript examples in examples/ and prints what each prints.
//
//   node scripts/run-examples.mjs [--engine=dist|src] [--no-header] [name ...]
//
// Each example is bundled with esbuild (only the example itself: 'gradlens' stays an
// import) and fed to a child `node` on stdin with the repository as its working directory,
// so `import * as torch from 'gradlens'` resolves the way it does for a user: through the
// package's own "exports", i.e. the built dist/ (run `npm run build` first; `npm start` does).
// `--engine=src` bundles src/engine/index.ts in place of 'gradlens' instead, so no build is
// needed; test/examples.test.ts runs the examples that way. Names are file names without
// `.ts` (e.g. `retain-grad`); without names every example runs. Exits non-zero if any
// example fails; an example's own errors go to stderr with source-mapped stack traces.
//
// The gradlens CLI (`gradlens run`) will take over running single scripts; this stays the
// way to run the whole set.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = join(root, 'examples');

const args = process.argv.slice(2);
const engineArg = args.find((a) => a.startsWith('--engine='));
const engine = engineArg ? engineArg.slice('--engine='.length) : 'dist';
const header = !args.includes('--no-header');
const unknown = args.filter((a) => a.startsWith('--') && a !== '--no-header' && a !== engineArg);
if (unknown.length > 0 || (engine !== 'dist' && engine !== 'src')) {
  console.error(
    `usage: node scripts/run-examples.mjs [--engine=dist|src] [--no-header] [name ...]`,
  );
  process.exit(2);
}

// Simplest first; examples not listed here run after these, alphabetically.
const order = [
  'square-plus-3x',
  'retain-grad',
  'solve-with-adam',
  'linear-regression',
  'polynomial-sin',
  'sigmoid-neuron',
  'relu-neuron',
  'nn-line',
  'nn-sinus',
  'mnist-classifier',
  'makemore-mlp',
  'cnn-fashion-mnist',
  'tiny-attention',
];
const rank = (n) => (order.includes(n) ? order.indexOf(n) : order.length);
const all = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const names = args.filter((a) => !a.startsWith('--'));
const missing = names.filter((n) => !all.includes(n));
if (missing.length > 0) {
  console.error(`no such example: ${missing.join(', ')} (there are: ${all.join(', ')})`);
  process.exit(2);
}
if (engine === 'dist' && !existsSync(join(root, 'dist/engine/index.mjs'))) {
  console.error(
    'dist/engine/index.mjs is missing: run `npm run build` first, or pass --engine=src',
  );
  process.exit(2);
}

let failed = 0;
for (const name of names.length > 0 ? names : all) {
  const file = join(examplesDir, `${name}.ts`);
  const bundle = await esbuild.build({
    entryPoints: [file],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'warning',
    ...(engine === 'src'
      ? { alias: { gradlens: join(root, 'src/engine/index.ts') } }
      : { external: ['gradlens'] }),
  });
  if (header) console.log(`\n── examples/${name}.ts ──`);
  const run = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module'], {
    cwd: root,
    input: bundle.outputFiles[0].text,
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  if (run.status !== 0) {
    failed++;
    console.error(`examples/${name}.ts failed (${run.signal ?? `exit code ${run.status}`})`);
  }
}
if (failed > 0) process.exit(1);
