// The runner run for real: a child Node process per script, the typed protocol, and the
// snapshots checked against PyTorch's nextFunctions structure.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SpareRunner, launchRunner, type RunResult } from '../../src/runner/launch';
import { MAX_ROWS } from '../../src/protocol/record-cap';
import type { GraphNode, GraphSnapshot } from '../../src/protocol/messages';
import { FIXTURES, ROOT, ensureBuilt } from './helpers';
import { relaxedSimdFlags } from '../../src/runner/child-process';
import { alive, goneWithin } from '../helpers/process';
import { groupTree } from '../../src/graph/groups';

beforeAll(ensureBuilt);

async function run(
  script: string,
  options: Partial<Parameters<typeof launchRunner>[0]> = {},
): Promise<RunResult & { stdout: string }> {
  let stdout = '';
  const h = launchRunner(
    { script, cwd: FIXTURES, timeoutMs: 30_000, ...options },
    { onStdout: (t) => (stdout += t) },
  );
  return { ...(await h.done), stdout };
}

/** Runs `source`, written as `fileName` into a folder of its own (also its working directory). */
async function runSource(fileName: string, source: string): ReturnType<typeof run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-source-'));
  const script = path.join(dir, fileName);
  writeFileSync(script, source);
  return run(script, { cwd: dir });
}

/** A node's nextFunctions as names, the way PyTorch prints them. */
function nextNames(s: GraphSnapshot, n: GraphNode): (string | null)[] {
  return n.next.map((e) => (e === null ? null : s.nodes.find((m) => m.id === e.id)!.name));
}

function rootFn(s: GraphSnapshot): GraphNode {
  const out = s.nodes.find((n) => n.id === s.outputs[0])!;
  return s.nodes.find((n) => n.id === out.attachedTo)!;
}

const ACC = 'torch::autograd::AccumulateGrad';

describe('snapshots follow PyTorch structure', () => {
  it('Q = a**3 - 3b, P = Q**2', async () => {
    const r = await run('seed-qp.ts');
    expect(r.ok).toBe(true);
    const s = r.snapshots[0];
    const sum = rootFn(s);
    expect(sum.name).toBe('SumBackward0');
    const pow2 = s.nodes.find((n) => n.id === sum.next[0]!.id)!;
    expect(pow2.name).toBe('PowBackward0');
    const sub = s.nodes.find((n) => n.id === pow2.next[0]!.id)!;
    expect(nextNames(s, sub)).toEqual(['PowBackward0', 'MulBackward0']);
    const mul = s.nodes.find((n) => n.id === sub.next[1]!.id)!;
    expect(nextNames(s, mul)).toEqual([ACC, null]);
    // Leaves carry their variable names and gradients: dP/da = 2Q*3a^2, dP/db = -6Q.
    const leaves = Object.fromEntries(
      s.nodes.filter((n) => n.kind === 'leaf').map((n) => [n.name, n]),
    );
    expect(Object.keys(leaves).sort()).toEqual(['a', 'b']);
    expect(leaves.a.grad!.first).toEqual([-240, 810]);
    expect(leaves.b.grad!.first).toEqual([60, -90]);
    expect(s.nodes.find((n) => n.kind === 'output')!.name).toBe('P');
    expect(sub.location).toMatchObject({ file: path.join(FIXTURES, 'seed-qp.ts'), line: 6 });
  });

  it('nn.Linear gives AddmmBackward0 [AccumulateGrad(bias), null, TBackward0] with parameter names and module paths', async () => {
    const r = await run('seed-linear.ts', { captureAt: 2 });
    expect(r.ok).toBe(true);
    expect(r.snapshots.map((s) => s.index)).toEqual([1, 2]);
    for (const s of r.snapshots) {
      const addmms = s.nodes.filter((n) => n.name === 'AddmmBackward0');
      expect(addmms).toHaveLength(2);
      const fc1 = addmms.find((n) => n.modulePath.at(-1) === 'Net.fc1')!;
      expect(nextNames(s, fc1)).toEqual([ACC, null, 'TBackward0']);
      const bias = s.nodes.find((n) => n.attachedTo === fc1.next[0]!.id)!;
      expect(bias.name).toBe('fc1.bias');
      expect(
        s.nodes
          .filter((n) => n.kind === 'leaf')
          .map((n) => n.name)
          .sort(),
      ).toEqual(['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
      expect(s.detail).toBe('full');
    }
    // The training record: one metric per backward, with the optimizer's lr and gradient norms.
    expect(r.metrics.map((m) => m.step)).toEqual([1, 2, 3]);
    expect(
      r.metrics.every((m) => m.lr === 0.05 && typeof m.gradNorms['fc1.weight'] === 'number'),
    ).toBe(true);
  });

  it('tells two back-to-back calls of one module apart (moduleCalls), so the view groups them separately', async () => {
    const r = await run('back-to-back-calls.ts');
    expect(r.ok).toBe(true);
    const s = r.snapshots[0];
    const tanhs = s.nodes.filter((n) => n.name === 'TanhBackward0');
    expect(tanhs).toHaveLength(2);
    expect(tanhs.map((n) => n.modulePath)).toEqual([['Cell'], ['Cell']]);
    const [first, second] = tanhs.map((n) => n.moduleCalls!);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(first[0]).not.toBe(second[0]);
    // Within one call, every node carries the same numbers (the Linear inside adds its own).
    const addmms = s.nodes.filter((n) => n.name === 'AddmmBackward0');
    expect(addmms.map((n) => n.moduleCalls![0]).sort()).toEqual([first[0], second[0]].sort());
    const calls = [...groupTree(s).groups.values()].filter(
      (g) => g.kind === 'call' && g.label === 'Cell',
    );
    expect(calls).toHaveLength(2);
  });

  it('custom autograd.Function keeps its class name; autograd.grad is captured', async () => {
    const a = await run('custom-function.ts');
    expect(a.ok).toBe(true);
    expect(a.snapshots[0].nodes.map((n) => n.name)).toContain('CubeBackward');
    const b = await run('autograd-grad.ts');
    expect(b.ok).toBe(true);
    expect(b.snapshots[0].trigger).toBe('autograd.grad');
    expect(b.snapshots[0].nodes.find((n) => n.kind === 'leaf')!.grad!.first).toEqual([12]);
  });
});

describe('running scripts', () => {
  it('follows relative imports and streams stdout', async () => {
    const r = await run('relative-import.ts');
    expect(r.ok).toBe(true);
    expect(r.stdout).toContain('relative import ok, grad 6');
  });

  it('runs plain .mjs with top-level await', async () => {
    const r = await run('plain.mjs');
    expect(r.ok).toBe(true);
    expect(r.stdout).toContain('mjs ok');
  });

  it("resolves 'gradlens' for a script in a folder without it installed", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-elsewhere-'));
    mkdirSync(path.join(dir, 'lib'));
    copyFileSync(path.join(FIXTURES, 'relative-import.ts'), path.join(dir, 'main.ts'));
    copyFileSync(path.join(FIXTURES, 'lib', 'helpers.ts'), path.join(dir, 'lib', 'helpers.ts'));
    const r = await run(path.join(dir, 'main.ts'), { cwd: dir });
    expect(r.errors).toEqual([]);
    // Named after the script's variable, not square()'s parameter t, as Python names it.
    expect(r.snapshots[0].nodes.find((n) => n.kind === 'leaf')!.name).toBe('w');
  });

  it('gives a kind of node made deeper in the engine than before its own user line', async () => {
    // The first AddmmBackward0 is made a frame below the script, the next ones inside
    // nn.Linear, one and two module calls down: walks sized for the first must go deeper.
    const r = await runSource(
      'deeper.ts',
      "import * as torch from 'gradlens';\n" +
        'const x = torch.ones([1, 2], { requiresGrad: true });\n' +
        'const w = torch.ones([3, 2], { requiresGrad: true });\n' +
        'const a = torch.addmm(torch.zeros([3]), x, w.t());\n' +
        'const lin = new torch.nn.Linear(3, 3);\n' +
        'const b = lin(a);\n' +
        'const seq = new torch.nn.Sequential(new torch.nn.Linear(3, 1));\n' +
        'seq(b).sum().backward();\n',
    );
    expect(r.errors).toEqual([]);
    const lines = r.snapshots[0].nodes
      .filter((n) => n.name === 'AddmmBackward0')
      .map((n) => n.location?.line);
    expect(lines.sort()).toEqual([4, 6, 8]);
  });

  it("gives the script the globals plain node gives it: no 'gc' from the child's flags", async () => {
    const r = await runSource(
      'globals.mjs',
      "import * as torch from 'gradlens';\n" +
        'torch.tensor(2, { requiresGrad: true }).mul(3).backward();\n' +
        'console.log(`gc is ${typeof globalThis.gc}`);\n',
    );
    expect(r.errors).toEqual([]);
    expect(r.stdout).toContain('gc is undefined');
  });
});

describe('WebAssembly relaxed SIMD in the script', () => {
  it('is on in the child on any supported Node, Node 20 included (behind its flag there)', async () => {
    const probe = path.join(ROOT, 'src', 'engine', 'wasm', 'relaxed-simd');
    const r = await runSource(
      'relaxed.ts',
      "import * as torch from 'gradlens';\n" +
        `import { relaxedSimdSupported } from ${JSON.stringify(probe)};\n` +
        'torch.tensor(2, { requiresGrad: true }).mul(3).backward();\n' +
        'console.log(`relaxed SIMD ${relaxedSimdSupported()}`);\n',
    );
    expect(r.errors).toEqual([]);
    expect(r.stdout).toContain('relaxed SIMD true');
  });

  it('gets its flag only from V8 11.0-11.3 (a later V8 has it on, and may not know the flag)', () => {
    expect(relaxedSimdFlags('11.3.244.8-node.19')).toEqual(['--experimental-wasm-relaxed-simd']);
    expect(relaxedSimdFlags('11.8.172.17-node.15')).toEqual([]);
    expect(relaxedSimdFlags('12.4.254.21-node.33')).toEqual([]);
    expect(relaxedSimdFlags('10.2.154.26-node.36')).toEqual([]);
  });
});

describe('a runner started ahead', () => {
  it('runs the next script when it suits, from any folder', async () => {
    const spare = new SpareRunner();
    expect(await spare.ready).toBe(true);
    const pid = spare.pid;
    let stdout = '';
    const pids: (number | null)[] = [];
    // Handlers may use the handle from the first message on, as with a child started for the run.
    const h = launchRunner(
      { script: 'relative-import.ts', cwd: FIXTURES, spare },
      { onStdout: (t) => (stdout += t), onMessage: () => pids.push(h.pid) },
    );
    const r = await h.done;
    expect(h.pid).toBe(pid);
    expect(pids[0]).toBe(pid);
    expect(spare.pid).toBe(null);
    expect(r.errors).toEqual([]);
    expect(stdout).toContain('relative import ok, grad 6');
    expect(r.snapshots[0].nodes.find((n) => n.kind === 'leaf')!.name).toBe('w');
  });

  it('is taken while still starting: the run goes on in it once it says hello', async () => {
    const spare = new SpareRunner();
    const pid = spare.pid;
    expect(pid).not.toBe(null);
    const h = launchRunner({ script: 'seed-qp.ts', cwd: FIXTURES, spare });
    const r = await h.done;
    expect(r.errors).toEqual([]);
    expect(r.snapshots).toHaveLength(1);
    expect(h.pid).toBe(pid);
  });

  it('bundles the script it was started for while it waits, runs nothing of it, and its run takes that bundle', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-prepare-'));
    const cache = path.join(dir, 'bundles');
    const marker = path.join(dir, 'ran.txt');
    const script = path.join(dir, 'prepared.ts');
    writeFileSync(
      script,
      `import * as torch from 'gradlens';
import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(marker)}, 'ran');
torch.tensor([2], { requiresGrad: true }).mul(3).sum().backward();
`,
    );
    // Saved a while ago, as a script opened in a new window is: its bundle may be kept.
    const past = new Date(Date.now() - 60_000);
    utimesSync(script, past, past);
    const kept = (ext: string): string[] =>
      existsSync(cache) ? readdirSync(cache).filter((f) => f.endsWith(ext)) : [];
    const spare = new SpareRunner({ script, bundleCache: cache });
    await expect.poll(() => kept('.json'), { timeout: 20_000 }).toHaveLength(1);
    expect(existsSync(marker)).toBe(false);
    const bundle = path.join(cache, kept('.bundle.mjs')[0]);
    const built = statSync(bundle).mtimeMs;
    const r = await launchRunner({ script, cwd: dir, spare, bundleCache: cache }).done;
    expect(r.errors).toEqual([]);
    expect(r.snapshots).toHaveLength(1);
    expect(existsSync(marker)).toBe(true);
    expect(statSync(bundle).mtimeMs).toBe(built);
  });

  it('whose child ends on its own ends what the child left in its group then, not at a later dispose', async () => {
    // A later dispose would signal a process group id that the system may since have given to
    // another program (pids wrap at 32768 by default).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-spare-ends-'));
    const left = path.join(dir, 'left.pid');
    const childPath = path.join(dir, 'ends.cjs');
    writeFileSync(
      childPath,
      `const { spawn } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const left = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
writeFileSync(${JSON.stringify(left)}, String(left.pid));
left.unref();
`,
    );
    const spare = new SpareRunner({ childPath });
    const pid = spare.pid!;
    expect(await spare.ready).toBe(false);
    const leftPid = Number(readFileSync(left, 'utf8'));
    try {
      expect(await goneWithin(leftPid, 10_000)).toBe(true);
      expect(spare.pid).toBe(null);
      expect(alive(pid)).toBe(false);
    } finally {
      spare.dispose();
      if (alive(leftPid)) process.kill(leftPid, 'SIGKILL');
    }
  });

  it('is stopped, and a new child started, when it was started for another memory cap', async () => {
    const spare = new SpareRunner({ maxMemoryMb: 512 });
    expect(await spare.ready).toBe(true);
    const pid = spare.pid!;
    const h = launchRunner({ script: 'seed-qp.ts', cwd: FIXTURES, spare });
    expect((await h.done).ok).toBe(true);
    expect(h.pid).not.toBe(pid);
    await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false);
  });
});

describe('bad input', () => {
  it('syntax error: file:line:col', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-syntax-'));
    const file = path.join(dir, 'broken.ts');
    writeFileSync(
      file,
      "import * as torch from 'gradlens';\n\nconst x = torch.tensor(1, { requiresGrad: true };\n",
    );
    const r = await run(file);
    expect(r.ok).toBe(false);
    expect(r.errors[0].kind).toBe('syntax');
    expect(r.errors[0].message).toContain(`${file}:3:`);
    expect(r.errors[0].location).toMatchObject({ file, line: 3 });
  });

  it('exception: stack mapped to the user lines', async () => {
    const r = await run('throws.ts');
    expect(r.ok).toBe(false);
    const e = r.errors.find((x) => x.kind === 'exception')!;
    expect(e.message).toContain('mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)');
    expect(e.stack).toContain(`${path.join(FIXTURES, 'throws.ts')}:6:`);
    expect(e.stack).not.toMatch(/dist[\\/]runner|src[\\/]engine/);
    expect(e.location).toMatchObject({ line: 6 });
  });

  it('a script that never ends is stopped by the timeout, and what was captured is kept', async () => {
    const r = await run('forever.ts', { timeoutMs: 3000 });
    expect(r.errors.map((e) => e.kind)).toContain('timeout');
    expect(r.snapshots).toHaveLength(1);
  });

  it('memory blow-up is stopped with a clear message', async () => {
    const r = await run('memory-hog.ts', { maxMemoryMb: 100 });
    expect(r.ok).toBe(false);
    const e = r.errors.find((x) => x.kind === 'memory')!;
    expect(e.message).toContain('100 MB');
  });

  it('NaN names the first op that produced it', async () => {
    const r = await run('nan.ts');
    const a = r.snapshots[0].anomalies;
    expect(a[0]).toMatchObject({ kind: 'nan', where: 'value' });
    expect(a[0].message).toContain('LogBackward0');
    expect(a[0].message).toContain('nan.ts:4:');
  });

  it("a mask's -Infinity (maskedFill before a softmax) is not reported; a later Inf is", async () => {
    const r = await run('masked-inf.ts');
    const value = r.snapshots[0].anomalies.filter((a) => a.where === 'value');
    expect(value.map((a) => a.message)).toEqual([
      expect.stringMatching(
        /^LogBackward0 at .*masked-inf\.ts:7:.* is the first op that produced Inf$/,
      ),
    ]);
  });

  it('a loss that turns NaN late in a loop: the next step is captured in full and names the op', async () => {
    const r = await run('nan-late.ts');
    const precise = r.snapshots
      .flatMap((s) => s.anomalies)
      .find((a) => a.message.includes('is the first op that produced NaN'));
    expect(precise?.message).toMatch(/^LogBackward0 at .*nan-late\.ts:7:/);
  });

  it('a script without backward() says so', async () => {
    const r = await run('no-backward.ts');
    expect(r.snapshots).toEqual([]);
    expect(r.errors.map((e) => e.kind)).toEqual(['no-backward']);
  });

  it('a graph over the size limit is collapsed by module', async () => {
    const r = await run('big-graph.ts', { maxNodes: 300 });
    const s = r.snapshots[0];
    expect(s.collapsed).toBe(true);
    expect(s.nodes.length).toBeLessThanOrEqual(300);
    expect(s.nodes.map((n) => n.name)).toContain(
      'TanhBackward0, MulBackward0, AddBackward0 ×20 (60 nodes)',
    );
  });

  it('a missing runner build is reported, not hung on', async () => {
    expect(await new SpareRunner({ childPath: '/nonexistent/child.cjs' }).ready).toBe(false);
    const r = await launchRunner({
      script: 'seed-qp.ts',
      cwd: FIXTURES,
      childPath: '/nonexistent/child.cjs',
    }).done;
    expect(r.errors[0].kind).toBe('launch');
  });
});

describe('training record', () => {
  it('a loop faster than the stream is thinned to a bounded stream that says its stride, and the host keeps at most MAX_ROWS of it', async () => {
    const r = await run('fast-loop.ts', { timeoutMs: 120_000 });
    expect(r.ok).toBe(true);
    expect(r.backwardCount).toBe(150_000);
    expect(r.metricStride).toBeGreaterThan(1);
    // How many rows the stream sends depends on the machine's speed (its stride doubles with
    // the loop's pace), so whether the host thinned them too varies; its cap always holds
    // (test/protocol/record-cap.test.ts thins a million steps).
    expect(r.metrics.length).toBeLessThanOrEqual(MAX_ROWS);
    const steps = r.metrics.map((m) => m.step);
    expect(steps.every((s, i) => i === 0 || s > steps[i - 1])).toBe(true);
    expect(steps.at(-1)! % r.metricStride).toBe(0);
    expect(r.metrics.at(-1)!.lr).toBe(0.001);
  });
});
