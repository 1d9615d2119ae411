// Bundles the graph view page (browser IIFE) and its two layout workers, which are started
// from Blobs of their sources: webview workers loaded by URL are broken in recent VS Code.
// The worker without ELK (src/graph alone) is started by a script of its own, which the host
// writes into the page's head before the page's script (names in
// src/protocol/fast-worker-start.ts); the one with ELK's bundled build is a script of its own
// that sets a global to its source, which the page loads once a first graph is on screen, so
// neither its start nor the run waits on ELK's 1.6 MB (names in src/protocol/elk-source.ts).
// Called by scripts/build.mjs; runnable on its own: `node webview/build.mjs [--production]`.
import * as esbuild from 'esbuild';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The text of the bundled webview/graph/layout-worker-`kind`.ts. */
async function layoutWorker(kind, production) {
  const r = await esbuild.build({
    entryPoints: [`webview/graph/layout-worker-${kind}.ts`],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    // ELK's bundle is large; minifying the workers keeps them quick to parse either way.
    minify: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
  });
  return r.outputFiles[0].text;
}

/** esbuild options shared by every webview page: one browser IIFE per page. */
export function pageOptions(entry, outfile, production) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  };
}

export async function buildWebview({ production = false } = {}) {
  await esbuild.build({
    ...pageOptions('webview/graph/main.ts', 'dist/webview/graph-view.js', production),
    // The host writes this script into the page's HTML (src/extension/webview-html.ts): minified
    // in every build, for a window's first graph waits for it to be parsed, and without a map,
    // which an inline script would not find.
    minify: true,
    sourcemap: false,
  });
  // The page's head starts this worker before the page's script runs (the host writes both in),
  // and keeps its starter for the page to start another after a cancelled layout ended it.
  // Globals named in src/protocol/fast-worker-start.ts.
  const fast = await layoutWorker('fast', production);
  writeFileSync(
    'dist/webview/graph-fast-worker.js',
    '(() => {' +
      `const source = ${JSON.stringify(fast)};` +
      'const start = () => {' +
      "const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));" +
      'const worker = new Worker(url);' +
      'URL.revokeObjectURL(url);' +
      'return worker;' +
      '};' +
      'self.gradlensFastWorker = start();' +
      'self.gradlensStartFastWorker = start;' +
      '})();\n',
  );
  const elk = await layoutWorker('elk', production);
  writeFileSync(
    'dist/webview/graph-elk-worker.js',
    `self.gradlensElkWorkerSource = ${JSON.stringify(elk)};\n`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href)
  await buildWebview({ production: process.argv.includes('--production') });
