// The Python tracer driven by the same host as the Node runner, with Debian's PyTorch: its
// messages pass the TypeScript validators (the host rejects anything else), and its graphs
// and numbers are PyTorch's own.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchRunner, type LaunchOptions, type RunResult } from '../../src/runner/launch';
import { svgOf } from '../../src/cli/render';
import { toDot } from '../../src/graph/dot';
import { validateSnapshot, type GraphNode, type GraphSnapshot } from '../../src/protocol/messages';
import { goneWithin } from '../helpers/process';
import { FIXTURES, ROOT } from './helpers';

const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';
const PY_FIXTURES = path.join(FIXTURES, '..', 'python');
const EXAMPLES = path.join(ROOT, 'examples', 'python');

async function run(
  script: string,
  options: Partial<LaunchOptions> = {},
): Promise<RunResult & { stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const h = launchRunner(
    { script, cwd: PY_FIXTURES, python: PYTHON, timeoutMs: 120_000, ...options },
    {
      onStdout: (t) => (stdout += t),
      onStderr: (t) => (stderr += t),
    },
  );
  return { ...(await h.done), stdout, stderr };
}

const byId = (s: GraphSnapshot, id: string): GraphNode => s.nodes.find((n) => n.id === id)!;
const leaf = (s: GraphSnapshot, name: string): GraphNode | undefined =>
  s.nodes.find((n) => n.kind === 'leaf' && n.name === name);

describe('Python scripts through the runner host', () => {
  it('the seed Q/P script: PyTorch node names, edges, leaf names and gradients', async () => {
    const r = await run(path.join(EXAMPLES, 'retain_grad.py'));
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.runtime).toMatchObject({
      language: 'python',
      torch: expect.stringMatching(/^1\.13|^2\./) as unknown,
    });
    expect(r.stdout).toContain('dP/da -384.0');
    const s = r.snapshots[0];
    const out = byId(s, s.outputs[0]);
    expect(out.name).toBe('P');
    const pow = byId(s, out.attachedTo!);
    expect(pow.name).toBe('PowBackward0');
    const sub = byId(s, pow.next[0]!.id);
    expect(sub.name).toBe('SubBackward0');
    expect(sub.next.map((e) => e && byId(s, e.id).name)).toEqual(['PowBackward0', 'MulBackward0']);
    expect(leaf(s, 'a')!.grad!.first).toEqual([-384]);
    expect(leaf(s, 'b')!.grad!.first).toEqual([96]);
    expect(sub.location).toMatchObject({ file: path.join(EXAMPLES, 'retain_grad.py'), line: 7 });
    // The backward flow, through the host's validators: -32 arrives at Q's subtraction and
    // leaves as -32 towards a**3 and +32 towards 3*b.
    expect(s.flowRecorded).toBe(true);
    expect(sub.flow?.order).toBe(1);
    expect(sub.flow?.gradOutputs.map((g) => g?.values)).toEqual([[-32]]);
    expect(sub.flow?.gradInputs.map((g) => g?.values)).toEqual([[-32], [32]]);
  });

  it('an nn.Module training script: parameter names, module groups, the training record', async () => {
    const r = await run(path.join(EXAMPLES, 'nn_sinus.py'));
    expect(r.ok).toBe(true);
    const first = r.snapshots[0];
    expect(first.detail).toBe('full');
    expect(leaf(first, 'fc1.weight')).toBeDefined();
    expect(first.nodes.find((n) => n.name === 'AddmmBackward0')!.modulePath[0]).toBe('NN_sinus');
    expect(r.metrics.length).toBeGreaterThan(100);
    expect(r.metrics[0].lr).toBe(0.01);
    expect(Object.keys(r.metrics[0].gradNorms)).toContain('fc3.bias');
    // The loop's last step (its range(300) foreseen) is captured in full, with its flow.
    const last = r.snapshots.at(-1)!;
    expect([last.index, last.detail, last.flowRecorded]).toEqual([300, 'full', true]);
  });

  it('a PyTorch graph over --max-nodes: collapsed with its module frame and ×800 repeat', async () => {
    const r = await run(path.join(EXAMPLES, 'unrolled_rnn.py'), { maxNodes: 2000 });
    expect(r.ok).toBe(true);
    const s = validateSnapshot(JSON.parse(JSON.stringify(r.snapshots[0])));
    expect(s.collapsed).toBe(true);
    expect(s.groups?.map((g) => [g.kind, g.label.split(',')[0], g.count])).toEqual([
      ['call', 'SeqModel', 0],
      ['repeat', 'SeqModel.cell', 800],
    ]);
    expect(await svgOf(s)).toMatch(/class="gl-frame-label"[^>]*>SeqModel</);
    expect(toDot(s)).toContain('label="SeqModel";');
  });

  it('a graph over the walk cap is a notice: the run finishes, and says so once', async () => {
    const r = await run(path.join(PY_FIXTURES, 'over_cap.py'));
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.stdout).toContain('done');
    expect(r.notices).toEqual([
      {
        kind: 'graph-too-large',
        message: expect.stringMatching(
          /^the graph of backward\(\) #1 has more than 300 nodes/,
        ) as unknown,
      },
    ]);
    expect(r.snapshots.map((s) => s.index)).toEqual([2]);
  });

  it('Run backward stops at the first call of its line inside while True', async () => {
    const script = path.join(PY_FIXTURES, 'loop_forever.py');
    const r = await run(script, { stopAfter: { file: script, line: 9 } });
    expect(r.ok).toBe(true);
    expect(r.snapshots.map((s) => s.index)).toEqual([1]);
    expect(r.stdout).not.toContain('after backward');
  });

  it('arguments after -- and the working directory, as python would have them', async () => {
    const r = await run('args_and_cwd.py', { args: ['--steps', '2'] });
    expect(r.stdout).toContain('steps 2');
    expect(r.stdout).toContain(`cwd ${PY_FIXTURES}`);
    expect(r.backwardCount).toBe(2);
  });
});

describe('bad input from Python', () => {
  it('garbage written to low fds cannot reach the channel (fd 3 is closed, as under plain python)', async () => {
    const r = await run('garbage_fd3.py');
    expect(r.stdout).toContain('fd 3: Bad file descriptor');
    expect(r.stdout).toContain('still running');
    expect(r.errors).toEqual([]);
    expect(r.snapshots).toHaveLength(1);
  });

  it('processes the script started end with the run; a forked child never speaks for it', async () => {
    const r = await run('forks.py');
    expect(r.ok).toBe(true);
    expect(r.backwardCount).toBe(1);
    const pid = Number(/sleeper (\d+)/.exec(r.stdout)?.[1]);
    expect(await goneWithin(pid, 5000)).toBe(true);
  });

  it('a script that never ends is stopped by the timeout; its graph is kept', async () => {
    // Long enough for torch's import on a loaded machine, so the loop has started when it ends.
    const r = await run('forever.py', { timeoutMs: 20_000 });
    expect(r.stdout).toContain('looping forever');
    expect(r.errors.map((e) => e.kind)).toEqual(['timeout']);
    expect(r.snapshots).toHaveLength(1);
  });

  it('a script that allocates without bound is stopped at the memory cap; its graph is kept', async () => {
    const r = await run('memory_hog.py', { maxMemoryMb: 700 });
    expect(r.errors.map((e) => e.kind)).toEqual(['memory']);
    expect(r.errors[0].message).toContain('700 MB');
    expect(r.snapshots).toHaveLength(1);
  });

  it('DataLoader worker processes: the run works and ends with its workers', async () => {
    const r = await run('dataloader_workers.py');
    expect(r.errors).toEqual([]);
    expect(r.stdout).toContain('batches done');
    expect(r.backwardCount).toBe(4);
    expect(r.metrics.map((m) => m.step)).toEqual([1, 2, 3, 4]);
  });

  it("PyTorch's own error, at the user's line; a syntax error at its line", async () => {
    const twice = await run('backward_twice.py');
    expect(twice.errors[0]).toMatchObject({
      kind: 'exception',
      location: { file: path.join(PY_FIXTURES, 'backward_twice.py'), line: 7 },
    });
    expect(twice.errors[0].message).toMatch(
      /^RuntimeError: Trying to backward through the graph a second time/,
    );
    expect(twice.snapshots).toHaveLength(1);
    const syntax = await run('syntax_error.py');
    expect(syntax.errors[0]).toMatchObject({
      kind: 'syntax',
      location: { file: path.join(PY_FIXTURES, 'syntax_error.py'), line: 3 },
    });
  });

  it('an interpreter without torch: a message naming it and how to choose another', async () => {
    const r = await run(path.join(EXAMPLES, 'retain_grad.py'), {
      python: path.join(PY_FIXTURES, 'python-without-torch'),
    });
    expect(r.ok).toBe(false);
    expect(r.errors[0].kind).toBe('launch');
    expect(r.errors[0].message).toContain('torch is not importable by');
    expect(r.errors[0].message).toContain('--python PATH');
    // The interpreter as chosen (a wrapper here), not only the python it runs.
    expect(r.errors[0].message).toContain('python-without-torch');
  });

  it('a Python older than 3.8: a message naming the version the tracer needs', async () => {
    const r = await run('args_and_cwd.py', { python: path.join(PY_FIXTURES, 'python-3.7') });
    expect(r.ok).toBe(false);
    expect(r.errors[0].kind).toBe('launch');
    expect(r.errors[0].message).toContain('python-3.7 could not start the Gradlens tracer');
    expect(r.errors[0].message).toContain(
      'is Python 3.7.3; the Gradlens tracer needs Python 3.8 or newer',
    );
  });

  it('an interpreter that does not exist, or is not Python', async () => {
    const missing = await run('args_and_cwd.py', { python: '/nonexistent/python3' });
    expect(missing.errors[0]).toMatchObject({
      kind: 'launch',
      message: expect.stringContaining('/nonexistent/python3 was not found') as unknown,
    });
    const notPython = await run('args_and_cwd.py', { python: '/bin/false' });
    expect(notPython.errors[0]).toMatchObject({
      kind: 'launch',
      message: expect.stringContaining('could not start the Gradlens tracer') as unknown,
    });
  });
});
