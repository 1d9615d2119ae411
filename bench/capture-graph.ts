// A script's autograd graph as `gradlens run SCRIPT --graph FILE.json` writes it (the last
// backward()), read back: the snapshot the page benches lay out and open.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { GraphSnapshot } from '../src/protocol/messages';

const CLI = path.join(process.cwd(), 'bin', 'gradlens.cjs');

/** Runs `script` through the CLI, writing its graph into `dir` (collapsed above `maxNodes`). */
export function captureGraph(script: string, dir: string, maxNodes: number): GraphSnapshot {
  const out = path.join(dir, `${path.basename(script)}.json`);
  const r = spawnSync(
    process.execPath,
    [CLI, 'run', script, '--graph', out, '--max-nodes', String(maxNodes)],
    { encoding: 'utf8', cwd: process.cwd() },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(readFileSync(out, 'utf8')) as GraphSnapshot;
}
