// Bundles the standalone graph page (browser IIFE, minified: it travels inside notebook
// outputs) into dist/webview/graph-standalone.js and the Python package's assets, and the
// notebook renderer (ES module) with that page inlined as text.
// Called by scripts/build.mjs; runnable on its own: `node webview/standalone/build.mjs`.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const PAGE = 'dist/webview/graph-standalone.js';
const PYTHON_ASSET = 'python/gradlens/assets/graph.js';

export async function buildStandalone() {
  const page = await esbuild.build({
    entryPoints: ['webview/standalone/page.ts'],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    logLevel: 'warning',
  });
  const source = page.outputFiles[0].text;
  mkdirSync('dist/webview', { recursive: true });
  writeFileSync(PAGE, source);
  mkdirSync('python/gradlens/assets', { recursive: true });
  copyFileSync(PAGE, PYTHON_ASSET);
  await esbuild.build({
    entryPoints: ['webview/standalone/renderer.ts'],
    outfile: 'dist/webview/notebook-renderer.js',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    logLevel: 'warning',
    plugins: [
      {
        name: 'standalone-page-source',
        setup(build) {
          build.onResolve({ filter: /^standalone-page-source$/ }, () => ({
            path: 'page',
            namespace: 'standalone-page-source',
          }));
          build.onLoad({ filter: /.*/, namespace: 'standalone-page-source' }, () => ({
            contents: source,
            loader: 'text',
          }));
        },
      },
    ],
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await buildStandalone();
