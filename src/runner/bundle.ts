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

/** Where the runner puts the engine for the bundle to pick up. */
export const ENGINE_GLOBAL = '__gradlensEngine';

export interface Bundled {
  file: string;
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
 * Bundles `script` to a temporary .mjs file with an inline source map.
 * Throws SyntaxProblem (with file:line:col) when the script does not parse.
 */
export async function bundleScript(script: string): Promise<Bundled> {
  // esbuild's require shim for external packages looks up a global `require`.
  (globalThis as { require?: NodeJS.Require }).require = createRequire(script);
  const esbuild = loadEsbuild();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-run-'));
  const file = path.join(dir, `${path.basename(script).replace(/\.[^.]+$/, '')}.bundle.mjs`);
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
    rmSync(dir, { recursive: true, force: true });
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
  writeFileSync(file, result.outputFiles[0].text);
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
