// Bundles the graph view page (browser IIFE). ELK's worker script is inlined as a string so the
// page can start it from a Blob: webview workers loaded by URL are broken in recent VS Code.
// Called by scripts/build.mjs; runnable on its own: `node webview/build.mjs [--production]`.
import * as esbuild from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** `import source from 'elk-worker-source'` yields the text of elkjs's self-contained worker. */
const elkWorkerSource = {
  name: 'elk-worker-source',
  setup(build) {
    build.onResolve({ filter: /^elk-worker-source$/ }, () => ({ path: require.resolve('elkjs/lib/elk-worker.min.js'), namespace: 'elk-worker-source' }));
    build.onLoad({ filter: /.*/, namespace: 'elk-worker-source' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

export async function buildWebview({ production = false } = {}) {
  await esbuild.build({
    entryPoints: ['webview/graph-view.ts'],
    outfile: 'dist/webview/graph-view.js',
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    plugins: [elkWorkerSource],
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await buildWebview({ production: process.argv.includes('--production') });
