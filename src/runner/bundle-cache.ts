// Bundles of user scripts kept between runs (in the extension's storage), so that running an
// unchanged script again does not wait for esbuild. One entry per script path:
// the bundle and a manifest with the SHA-256 of every file esbuild read to make it. An entry
// serves only while each of those files still has that content and the runner is the one that
// wrote it; otherwise the script is bundled again and the entry replaced. Each new entry prunes
// the folder to the entries used most recently, so scripts run once long ago do not pile up.
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';

interface Manifest {
  runner: string;
  inputs: [file: string, sha256: string][];
}

/** File systems with coarse clocks (FAT: 2 s) stamp a file saved just before a build as older. */
const CLOCK_SLACK_MS = 2000;

/** Entries kept: a bundle is typically tens of kB (the engine is not in it), so a few MB at most. */
export const MAX_ENTRIES = 64;

/** A temporary file this old is left over from a run that died while writing; a live one is seconds old. */
const STALE_TEMP_MS = 60 * 60 * 1000;

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

  /** Marks the entry as just used, so that pruning keeps it over entries unused for longer. */
  markUsed(): void {
    try {
      const now = new Date();
      utimesSync(this.manifest, now, now);
    } catch {
      // A read-only or vanished entry still served this run.
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
      pruneBundleCache(this.dir);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Keeps the `keep` entries of `dir` used most recently (by the newer of an entry's two
 * files' modification times; a served entry's manifest is touched) and removes the rest, and
 * temporary files left by runs that died while writing. Returns how many files it removed.
 * Best effort: a file another run removes or replaces meanwhile is skipped.
 */
export function pruneBundleCache(dir: string, keep = MAX_ENTRIES, now = Date.now()): number {
  const used = new Map<string, number>();
  const files = new Map<string, string[]>();
  let removed = 0;
  const remove = (file: string): void => {
    try {
      rmSync(path.join(dir, file));
      removed++;
    } catch {
      // gone already
    }
  };
  for (const name of readdirSync(dir)) {
    const m = /^([0-9a-f]{32})\.(?:bundle\.mjs|json)(\.\d+\.tmp)?$/.exec(name);
    if (m === null) continue;
    let mtime: number;
    try {
      mtime = statSync(path.join(dir, name)).mtimeMs;
    } catch {
      continue;
    }
    if (name.endsWith('.tmp')) {
      if (now - mtime > STALE_TEMP_MS) remove(name);
      continue;
    }
    used.set(m[1], Math.max(used.get(m[1]) ?? 0, mtime));
    files.set(m[1], [...(files.get(m[1]) ?? []), name]);
  }
  const newestFirst = [...used.keys()].sort((a, b) => (used.get(b) ?? 0) - (used.get(a) ?? 0));
  for (const key of newestFirst.slice(keep)) for (const name of files.get(key) ?? []) remove(name);
  return removed;
}
