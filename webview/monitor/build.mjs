// Bundles the training monitor page (browser IIFE, uPlot included). Called by scripts/build.mjs;
// runnable on its own: `node webview/monitor/build.mjs [--production]`.
import * as esbuild from 'esbuild';
import { pathToFileURL } from 'node:url';

export async function buildMonitor({ production = false } = {}) {
  await esbuild.build({
    entryPoints: ['webview/monitor/main.ts'],
    outfile: 'dist/webview/monitor.js',
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await buildMonitor({ production: process.argv.includes('--production') });
