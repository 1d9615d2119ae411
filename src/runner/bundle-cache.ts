// Bundles of user scripts kept between runs (in the extension's storage), so that running an
// unchanged script again does not wait for esbuild. One entry per script path:
// the bundle and a manifest with the SHA-256 of every file esbuild read to make it. An entry
// serves only while each of those files still has that content and the runner is the one that
// wrote it; otherwise the script is bundled again and the entry replaced.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

interface Manifest {
  runner: string;
  inputs: [file: string, sha256: string][];
}

/** File systems with coarse clocks (FAT: 2 s) stamp a file saved just before a build as older. */
const CLOCK_SLACK_MS = 2000;

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Changes whenever this runner is rebuilt or esbuild changes: an entry from another build never serves. */
function runnerStamp(esbuildVersion: string): string {
  const self = statSync(__filename);
  return `${esbuildVersion}:${self.size}:${self.mtimeMs}`;
}

export class BundleCache {
  /** Where the script's bundle is kept (its source map's paths are relative to it). */
  readonly bundle: string;
  private readonly manifest: string;
  private readonly runner: string;

  constructor(
    private readonly dir: string,
    script: string,
    esbuildVersion: string,
  ) {
    const key = sha256(path.resolve(script)).slice(0, 32);
    this.bundle = path.join(dir, `${key}.bundle.mjs`);
    this.manifest = path.join(dir, `${key}.json`);
    this.runner = runnerStamp(esbuildVersion);
  }

  /** Whether `bundle` holds a bundle of the files as they are now, by this runner. */
  fresh(): boolean {
    try {
      const m = JSON.parse(readFileSync(this.manifest, 'utf8')) as Manifest;
      if (m.runner !== this.runner || !Array.isArray(m.inputs) || m.inputs.length === 0)
        return false;
      for (const [file, hash] of m.inputs) if (sha256(readFileSync(file)) !== hash) return false;
      return statSync(this.bundle).isFile();
    } catch {
      return false; // no entry, a file gone, or a manifest of another format: bundle again
    }
  }

  /**
   * Writes the bundle and then its manifest, each by rename so that a run reading the entry
   * meanwhile sees a whole one. The hashes are taken after the build, so an input changed
   * since `builtFrom` (when esbuild started reading; with room for coarse file clocks) could
   * pair the new content with the old bundle: such a build is not kept. False when it was
   * not kept; the bundle is written either way (the run needs it), or this throws.
   */
  store(text: string, inputs: readonly string[], builtFrom: number): boolean {
    mkdirSync(this.dir, { recursive: true });
    rmSync(this.manifest, { force: true });
    const tmp = `.${process.pid}.tmp`;
    writeFileSync(this.bundle + tmp, text);
    renameSync(this.bundle + tmp, this.bundle);
    try {
      if (inputs.some((f) => statSync(f).mtimeMs > builtFrom - CLOCK_SLACK_MS)) return false;
      const manifest: Manifest = {
        runner: this.runner,
        inputs: inputs.map((f) => [f, sha256(readFileSync(f))]),
      };
      writeFileSync(this.manifest + tmp, JSON.stringify(manifest));
      renameSync(this.manifest + tmp, this.manifest);
      return true;
    } catch {
      return false;
    }
  }
}
