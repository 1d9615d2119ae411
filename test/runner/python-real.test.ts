// Unmodified programs from pytorch/examples (test/fixtures/python/pytorch-examples) run through
// the runner host and under plain Python: the same output, every backward() counted, and the
// 32,000-node LSTMCell graph of time_sequence_prediction grouped by module call with its 999
// unrolled steps found as one repeat.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitSnapshot } from '../../src/graph/collapse';
import { groupTree } from '../../src/graph/groups';
import { GraphView } from '../../src/graph/view';
import { launchRunner, type RunResult } from '../../src/runner/launch';
import { ROOT } from './helpers';

const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';
const EXAMPLES = path.join(ROOT, 'test', 'fixtures', 'python', 'pytorch-examples');
const REGRESSION = path.join(EXAMPLES, 'regression', 'main.py');
const SEQUENCE = path.join(EXAMPLES, 'time_sequence_prediction');
// One LBFGS step of 20 closures over 97 sequences of 999 time steps is the shortest run
// train.py allows; on a shared two-core machine each side takes minutes.
const LONG = 600_000;

let work = '';

/** Asynchronous: a worker blocked for minutes misses vitest's own messages and fails the run. */
async function plain(script: string, args: string[] = []): Promise<string> {
  const { stdout } = await promisify(execFile)(PYTHON, [script, ...args], {
    cwd: work,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: LONG,
  });
  return stdout;
}

async function traced(
  script: string,
  args: string[] = [],
): Promise<RunResult & { stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  // The extension's limit (VIEW_MAX_NODES): the whole graph reaches the test, as it reaches the view.
  const h = launchRunner(
    { script, cwd: work, args, python: PYTHON, timeoutMs: LONG, maxNodes: 50_000 },
    {
      onStdout: (t) => (stdout += t),
      onStderr: (t) => (stderr += t),
    },
  );
  return { ...(await h.done), stdout, stderr };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'gradlens-pytorch-examples-'));
  // train.py reads traindata.pt from its working directory; the example's own script writes it.
  await plain(path.join(SEQUENCE, 'generate_sine_wave.py'));
}, LONG);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** regression/main.py draws its target without a seed: its numbers differ run to run, its lines do not. */
function regressionLines(stdout: string): {
  loss: number;
  batches: number;
  learned: number[];
  actual: number[];
} {
  const lines = stdout.split('\n');
  expect(lines).toHaveLength(4);
  expect(lines[3]).toBe('');
  const m = /^Loss: (\d+\.\d{6}) after (\d+) batches$/.exec(lines[0]);
  expect(m, lines[0]).not.toBeNull();
  const poly = (line: string, label: string): number[] => {
    const p = new RegExp(
      `^==> ${label} function:\\ty = ([+-]\\d+\\.\\d\\d) x\\^1 ([+-]\\d+\\.\\d\\d) x\\^2 ([+-]\\d+\\.\\d\\d) x\\^3 ([+-]\\d+\\.\\d\\d) x\\^4 ([+-]\\d+\\.\\d\\d)$`,
    ).exec(line);
    expect(p, line).not.toBeNull();
    return p!.slice(1).map(Number);
  };
  return {
    loss: Number(m![1]),
    batches: Number(m![2]),
    learned: poly(lines[1], 'Learned'),
    actual: poly(lines[2], 'Actual'),
  };
}

describe('pytorch/examples, unmodified', () => {
  it(
    'regression/main.py: the same output as plain Python, one backward() per batch',
    async () => {
      const r = await traced(REGRESSION);
      expect(r.errors).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.stderr).toBe('');
      const expected = await plain(REGRESSION);
      for (const out of [regressionLines(expected), regressionLines(r.stdout)]) {
        expect(out.loss).toBeLessThan(1e-3);
        // The stop criterion holds only once the fit is close: the script printed a real fit.
        out.learned.forEach((c, i) => expect(Math.abs(c - out.actual[i])).toBeLessThan(0.5));
      }
      const traceLines = regressionLines(r.stdout);
      expect(r.backwardCount).toBe(traceLines.batches);
      expect(r.metrics.at(-1)?.step).toBe(traceLines.batches);
      const last = r.snapshots.at(-1)!;
      expect(last.index).toBe(traceLines.batches);
      expect(
        last.nodes
          .filter((n) => n.kind === 'leaf')
          .map((n) => n.name)
          .sort(),
      ).toEqual(['bias', 'weight']);
    },
    LONG,
  );

  it(
    'time_sequence_prediction/train.py --steps 1: the same output, 20 backward() calls through the LBFGS closure, the LSTM graph grouped with its ×999 steps',
    async () => {
      const script = path.join(SEQUENCE, 'train.py');
      const expected = await plain(script, ['--steps', '1']);
      const r = await traced(script, ['--steps', '1']);
      expect(r.errors).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.stdout).toBe(expected);
      // LBFGS evaluates the closure up to max_iter=20 times per step; each prints its loss and calls backward().
      const closures = expected.split('\n').filter((l) => l.startsWith('loss:')).length;
      expect(closures).toBe(20);
      expect(r.backwardCount).toBe(20);
      expect(r.metrics.map((m) => m.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      // The first graph in full, then the repeating ones only counted; the last rebuilt at the end.
      expect(r.snapshots.map((s) => [s.index, s.detail])).toEqual([
        [1, 'full'],
        [20, 'light'],
      ]);
      for (const s of r.snapshots) {
        expect(s.collapsed).toBe(false);
        expect(s.nodes.length).toBeGreaterThan(30_000);
        // groupTree finds the 999 time steps (each an lstm1, lstm2 and linear call) as one repeat.
        const repeats = [...groupTree(s).groups.values()].filter((g) => g.kind === 'repeat');
        expect(repeats.map((g) => [g.label, g.count])).toEqual([
          ['Sequence.lstm1, Sequence.lstm2, Sequence.linear', 999],
        ]);
        // What the CLI writes at --max-nodes 2000: the repeat stays one box, not 999 step boxes.
        const limited = limitSnapshot(s, 2000);
        expect(limited.collapsed).toBe(true);
        expect(limited.nodes.length).toBeLessThanOrEqual(2000);
        expect(limited.nodes.filter((n) => n.name.startsWith('step #'))).toEqual([]);
        expect(limited.nodes.map((n) => n.name)).toContain(
          'Sequence.lstm1, Sequence.lstm2, Sequence.linear ×999 (31,968 nodes)',
        );
        // What the graph view opens with: one box for the repeat.
        const view = await new GraphView(s).open();
        expect(view.snapshot.nodes.length).toBeLessThan(50);
        expect(view.snapshot.nodes.map((n) => n.name)).toContain(
          'Sequence.lstm1, Sequence.lstm2, Sequence.linear ×999 (31,968 nodes)',
        );
      }
      const leaves = r.snapshots[1].nodes.filter((n) => n.kind === 'leaf');
      expect(leaves.map((n) => n.name)).toEqual(
        expect.arrayContaining([
          'lstm1.weight_ih',
          'lstm1.weight_hh',
          'lstm2.bias_hh',
          'linear.weight',
        ]),
      );
      expect(leaves.find((n) => n.name === 'lstm1.weight_ih')!.grad).not.toBeNull();
    },
    2 * LONG,
  );
});
