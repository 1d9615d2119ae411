// One build script for every entry point: engine (ESM + CJS), and whatever else the repo
// grows (runner, CLI, extension, webviews) is added to `entries` below.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { buildWasm } from './build-wasm.mjs';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
};

// The engine embeds its WebAssembly kernels (src/engine/wasm/*.generated.ts): compile them first.
await buildWasm();

const builds = [
  {
    ...common,
    entryPoints: ['src/engine/index.ts'],
    outfile: 'dist/engine/index.mjs',
    format: 'esm',
    platform: 'neutral',
  },
  {
    ...common,
    entryPoints: ['src/engine/index.ts'],
    outfile: 'dist/engine/index.cjs',
    format: 'cjs',
    platform: 'neutral',
  },
];
const optional = [
  { entry: 'src/cli/cli.ts', outfile: 'dist/cli/cli.cjs', format: 'cjs', platform: 'node' },
  {
    entry: 'src/runner/child.ts',
    outfile: 'dist/runner/child.cjs',
    format: 'cjs',
    platform: 'node',
  },
  {
    entry: 'src/runner/channel-reader.ts',
    outfile: 'dist/runner/channel-reader.cjs',
    format: 'cjs',
    platform: 'node',
  },
  {
    entry: 'src/runner/debug/main.ts',
    outfile: 'dist/runner/debug.cjs',
    format: 'cjs',
    platform: 'node',
  },
  {
    entry: 'src/extension/extension.ts',
    outfile: 'dist/extension/extension.cjs',
    format: 'cjs',
    platform: 'node',
    external: ['vscode'],
  },
];
for (const o of optional) {
  if (existsSync(o.entry))
    builds.push({
      ...common,
      entryPoints: [o.entry],
      outfile: o.outfile,
      format: o.format,
      platform: o.platform,
      external: o.external ?? [],
    });
}
await Promise.all(builds.map((b) => esbuild.build(b)));
// The TypeScript server plugin VS Code loads from the extension's node_modules (see
// src/ts-plugin/index.ts): a package of its own, written there by the build.
const plugin = 'node_modules/gradlens-typescript-plugin';
await esbuild.build({
  ...common,
  sourcemap: false,
  entryPoints: ['src/ts-plugin/index.ts'],
  outfile: `${plugin}/index.js`,
  format: 'cjs',
  platform: 'node',
});
writeFileSync(
  `${plugin}/package.json`,
  `${JSON.stringify({ name: 'gradlens-typescript-plugin', version: '0.1.0', private: true, main: 'index.js' }, null, 2)}\n`,
);
// The graph view page has its own bundling needs (browser IIFE with ELK's worker inlined).
if (existsSync('webview/build.mjs'))
  await (await import('../webview/build.mjs')).buildWebview({ production });
// The standalone graph page (notebook outputs, gradlens.show) and the notebook renderer.
if (existsSync('webview/standalone/build.mjs'))
  await (await import('../webview/standalone/build.mjs')).buildStandalone();
// The training monitor page (uPlot bundled in).
if (existsSync('webview/monitor/build.mjs'))
  await (await import('../webview/monitor/build.mjs')).buildMonitor({ production });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types.json'], {
  stdio: 'inherit',
});
