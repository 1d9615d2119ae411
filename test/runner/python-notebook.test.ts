// A notebook's cells through the runner host, as the extension sends them: the graph of the
// chosen cell with locations in (cell, line) that pass the host's validators, and a clear
// error for a notebook that is not JSON.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellSources, type EditorCell } from '../../src/extension/notebook/cell-sources';
import { launchRunner, type LaunchOptions, type RunResult } from '../../src/runner/launch';
import { ROOT } from './helpers';

const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';
const SEED = path.join(ROOT, 'examples', 'python', 'autograd_seed.ipynb');

interface IpynbCell {
  cell_type: string;
  source: string[];
}

function seedCells(): EditorCell[] {
  const nb = JSON.parse(readFileSync(SEED, 'utf8')) as { cells: IpynbCell[] };
  return nb.cells.map((c) => ({
    kind: c.cell_type === 'code' ? 'code' : 'markup',
    language: c.cell_type === 'code' ? 'python' : 'markdown',
    text: c.source.join(''),
  }));
}

async function run(options: LaunchOptions): Promise<RunResult & { stderr: string }> {
  let stderr = '';
  const h = launchRunner(
    { python: PYTHON, timeoutMs: 120_000, ...options },
    { onStderr: (t) => (stderr += t) },
  );
  return { ...(await h.done), stderr };
}

describe('notebook cells through the runner host', () => {
  it('runs the cells up to the chosen one and captures its backward() in (cell, line)', async () => {
    const cells = cellSources(seedCells(), 5);
    const r = await run({ script: SEED, cells });
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.stderr).toContain('cell 2, line 1: skipped the IPython magic `%matplotlib inline`');
    // Cell 8's vector backward() is after the chosen cell: it did not run.
    expect(r.snapshots).toHaveLength(1);
    const [s] = r.snapshots;
    const names = new Set(s.nodes.map((n) => n.name));
    for (const name of ['PowBackward0', 'SubBackward0', 'MulBackward0', 'a', 'b'])
      expect(names).toContain(name);
    const out = s.nodes.find((n) => s.outputs.includes(n.id));
    expect(out?.location).toEqual({ file: SEED, line: 4, column: 1, cell: 5 });
  });

  it('a notebook that is not JSON: a syntax error that says so, at its line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-notebook-'));
    try {
      const broken = path.join(dir, 'broken.ipynb');
      writeFileSync(broken, '{\n  "cells": [}\n');
      const r = await run({ script: broken });
      expect(r.ok).toBe(false);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatchObject({ kind: 'syntax', location: { file: broken, line: 2 } });
      expect(r.errors[0].message).toContain('is not a valid notebook: it is not JSON');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
