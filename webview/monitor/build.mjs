// Bundles the training monitor page (browser IIFE, uPlot included). Called by scripts/build.mjs;
// runnable on its own: `node webview/monitor/build.mjs [--production]`.
import * as esbuild from 'esbuild';
import { pathToFileURL } from 'node:url';
import { pageOptions } from '../build.mjs';

export async function buildMonitor({ production = false } = {}) {
  await esbuild.build(
    pageOptions('webview/monitor/main.ts', 'dist/webview/monitor.js', production),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href)
  await buildMonitor({ production: process.argv.includes('--production') });
