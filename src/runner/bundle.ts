// Bundles the user's script for running: TypeScript transpiled with source maps, relative
// imports followed, and every `gradlens` import bound to the engine instance this runner
// holds, so the capture hooks see the user's tensors whether or not their folder has the
// package installed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import type { SourceLocation } from '../protocol/messages';
import { BundleCache } from './bundle-cache';

/** Where the runner puts the engine for the bundle to pick up. */
export const ENGINE_GLOBAL = '__gradlensEngine';

export interface Bundled {
  file: string;
  /** Whether the file was a kept bundle of the unchanged script (no build ran). */
  cached: boolean;
  cleanup(): void;
}

export class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly location: SourceLocation | null,
  ) {
    super(message);
    this.name = 'SyntaxError';
  }
}

const enginePlugin: Plugin = {
  name: 'gradlens-engine',
  setup(build) {
    build.onResolve({ filter: /^gradlens$/ }, () => ({
      path: 'gradlens',
      namespace: 'gradlens-engine',
    }));
    build.onLoad({ filter: /.*/, namespace: 'gradlens-engine' }, () => ({
      contents: `module.exports = globalThis.${ENGINE_GLOBAL};`,
      loader: 'js',
    }));
  },
};

// esbuild ships a native binary, so it is loaded at run time rather than bundled.
const loadEsbuild = (): typeof import('esbuild') =>
  createRequire(__filename)('esbuild') as typeof import('esbuild');

/**
 * Starts esbuild's service with a build of nothing, so that the script's build does not wait
 * for it to start: a runner started ahead of its run does this while it waits.
 */
export function warmBundler(): void {
  loadEsbuild()
    .build({ stdin: { contents: '' }, write: false, logLevel: 'silent' })
    .catch(() => undefined);
}

/**
 * Imports a module of nothing with an inline source map and reads a stack through it, so that
 * Node loads its ES module loader and source-map support (what the script's bundle needs
 * first) while a runner started ahead waits, not when the script runs. Runs no user code.
 */
export async function warmModuleLoader(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-warm-'));
  try {
    const file = path.join(dir, 'warm.mjs');
    const map = Buffer.from(
      JSON.stringify({ version: 3, sources: ['warm.ts'], names: [], mappings: 'AAAA' }),
    ).toString('base64');
    writeFileSync(
      file,
      `export const stack = new Error('warm').stack;\n//# sourceMappingURL=data:application/json;base64,${map}\n`,
    );
    await import(pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Bundles `script` to an .mjs file with an inline source map: in `cacheDir` when given, where
 * a later run of the same unchanged script (and the files it imports) finds it without
 * building (see src/runner/bundle-cache.ts), else in a temporary folder.
 * Throws SyntaxProblem (with file:line:col) when the script does not parse.
 */
export async function bundleScript(script: string, cacheDir?: string): Promise<Bundled> {
  // esbuild's require shim for external packages looks up a global `require`.
  (globalThis as { require?: NodeJS.Require }).require = createRequire(script);
  if (cacheDir !== undefined) {
    try {
      return await cachedBundle(script, cacheDir);
    } catch (e) {
      if (e instanceof SyntaxProblem) throw e;
      // The cache folder cannot be written: bundle to a temporary file as without a cache.
    }
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-run-'));
  const file = path.join(dir, `${path.basename(script).replace(/\.[^.]+$/, '')}.bundle.mjs`);
  try {
    writeFileSync(file, (await build(script, file)).text);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { file, cached: false, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function cachedBundle(script: string, cacheDir: string): Promise<Bundled> {
  const cache = new BundleCache(cacheDir, script, loadEsbuild().version);
  const kept = { file: cache.bundle, cleanup: () => undefined };
  if (cache.fresh()) {
    cache.markUsed();
    return { ...kept, cached: true };
  }
  const from = Date.now();
  const built = await build(script, kept.file);
  cache.store(built.text, built.inputs, from);
  return { ...kept, cached: false };
}

/** The bundle's text, to be written to `file` (its source map is relative to it), and the files it was made of. */
async function build(script: string, file: string): Promise<{ text: string; inputs: string[] }> {
  const esbuild = loadEsbuild();
  let result;
  try {
    result = await esbuild.build({
      entryPoints: [script],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: false,
      keepNames: true,
      logLevel: 'silent',
      outfile: file,
      metafile: true,
      plugins: [enginePlugin],
      // Packages the user installed are loaded from their folder, not copied in.
      packages: 'external',
      // References to these are rewritten only where the user did not declare them.
      define: {
        'import.meta.url': JSON.stringify(pathToFileURL(script).href),
        __filename: JSON.stringify(script),
        __dirname: JSON.stringify(path.dirname(script)),
      },
    });
  } catch (e) {
    const errors = (
      e as {
        errors?: {
          text: string;
          location: { file: string; line: number; column: number; lineText: string } | null;
        }[];
      }
    ).errors;
    if (errors !== undefined && errors.length > 0) {
      const first = errors[0];
      const loc =
        first.location === null
          ? null
          : {
              file: path.resolve(first.location.file),
              line: first.location.line,
              column: first.location.column + 1,
            };
      const where = loc === null ? '' : `${loc.file}:${loc.line}:${loc.column}: `;
      const text = errors.map((x) => x.text).join('\n');
      const excerpt =
        first.location === null
          ? ''
          : `\n    ${first.location.lineText}\n    ${' '.repeat(first.location.column)}^`;
      throw new SyntaxProblem(`${where}${text}${excerpt}`, loc);
    }
    throw e;
  }
  const inputs = Object.keys(result.metafile.inputs)
    .filter((f) => !f.includes(':'))
    .map((f) => path.resolve(f));
  return { text: result.outputFiles[0].text, inputs };
}
