// Bundles the graph view page (browser IIFE). The layout worker (src/graph + ELK's bundled
// build) is bundled first and inlined as a string, so the page starts it from a Blob:
// webview workers loaded by URL are broken in recent VS Code.
// Called by scripts/build.mjs; runnable on its own: `node webview/build.mjs [--production]`.
import * as esbuild from 'esbuild';
import { pathToFileURL } from 'node:url';

/** `import source from 'layout-worker-source'` yields the text of the bundled worker. */
function layoutWorkerSource(production) {
  return {
    name: 'layout-worker-source',
    setup(build) {
      build.onResolve({ filter: /^layout-worker-source$/ }, () => ({
        path: 'layout-worker',
        namespace: 'layout-worker-source',
      }));
      build.onLoad({ filter: /.*/, namespace: 'layout-worker-source' }, async () => {
        const r = await esbuild.build({
          entryPoints: ['webview/graph/layout-worker.ts'],
          bundle: true,
          write: false,
          format: 'iife',
          platform: 'browser',
          target: 'es2022',
          // ELK's bundle is large; minifying the worker keeps the page quick to parse either way.
          minify: true,
          logLevel: 'warning',
          define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
        });
        return { contents: r.outputFiles[0].text, loader: 'text' };
      });
    },
  };
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
    plugins: [layoutWorkerSource(production)],
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href)
  await buildWebview({ production: process.argv.includes('--production') });
