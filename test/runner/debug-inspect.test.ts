// The inspection API that runs inside a paused debuggee: what it reports, and that reading
// changes nothing (no node created, no version bumped, no AccumulateGrad made, grads intact).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as torch from '../../src/engine/index';
import { Tensor } from '../../src/engine/index';
import { createInspectApi } from '../../src/runner/debug/api';
import { Inspector } from '../../src/runner/debug/inspect';
import { parseInspection } from '../../src/runner/debug/protocol';
import { ROOT } from './helpers';

const DEBUG_CJS = path.join(ROOT, 'dist', 'runner', 'debug.cjs');

function ensureBuilt(): void {
  if (!existsSync(DEBUG_CJS))
    spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

class Net extends torch.nn.Module {
  fc1 = new torch.nn.Linear(3, 4);
  fc2 = new torch.nn.Linear(4, 1);
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.fc1.forward(x).relu());
  }
}

/** Counts engine activity while `fn` runs: nodes created, versions bumped, AccumulateGrads made. */
function activity(fn: () => void): { nodes: number; bumps: number; accumulators: number } {
  const counts = { nodes: 0, bumps: 0, accumulators: 0 };
  const proto = Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const bump = proto._bumpVersion;
  const acc = proto._accumulateGrad;
  proto._bumpVersion = function (this: Tensor, ...a: unknown[]) {
    counts.bumps++;
    return bump.apply(this, a);
  };
  proto._accumulateGrad = function (this: Tensor, ...a: unknown[]) {
    counts.accumulators++;
    return acc.apply(this, a);
  };
  torch._setNodeCreatedHook(() => {
    counts.nodes++;
  });
  try {
    fn();
  } finally {
    proto._bumpVersion = bump;
    proto._accumulateGrad = acc;
    torch._setNodeCreatedHook(null);
  }
  return counts;
}

function program() {
  torch.manualSeed(0);
  const w = torch.tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { requiresGrad: true },
  );
  const x = torch.tensor([[0.5], [1]]);
  const unused = torch.ones(3, { requiresGrad: true });
  const y = w.matmul(x).relu();
  y.retainGrad();
  const loss = y.sum();
  loss.backward();
  w.data.mul_(2); // a version bump the inspection must report but not cause
  const model = new Net();
  const out = model.forward(torch.ones(2, 3)).sum();
  return { w, x, unused, y, loss, model, out, xs: [w, x], n: 3 };
}

describe('Inspector', () => {
  test('reports tensors in scope with shape, values, grad, gradFn and flags', () => {
    const p = program();
    const r = new Inspector().inspect(p);
    const byName = new Map(r.tensors.map((t) => [t.name, t]));
    expect([...byName.keys()]).toEqual([
      'w',
      'x',
      'unused',
      'y',
      'loss',
      'model.fc1.weight',
      'model.fc1.bias',
      'model.fc2.weight',
      'model.fc2.bias',
      'out',
    ]);
    const w = byName.get('w')!;
    expect(w).toMatchObject({ isLeaf: true, requiresGrad: true, gradFn: null, version: 0 });
    expect(w.value.first).toEqual([2, 4, 6, 8]);
    expect(w.grad!.first).toEqual([0.5, 1, 0.5, 1]);
    const y = byName.get('y')!;
    expect(y).toMatchObject({ isLeaf: false, gradFn: 'ReluBackward0', retainsGrad: true });
    expect(y.value.shape).toEqual([2, 1]);
    expect(y.grad!.first).toEqual([1, 1]);
    expect(byName.get('x')).toMatchObject({ requiresGrad: false, grad: null, nodeId: null });
    expect(byName.get('loss')!.gradFn).toBe('SumBackward0');
    // `w` and `xs[0]` are the same tensor: reported once, under its first name.
    expect(r.tensors.filter((t) => t.id === w.id)).toHaveLength(1);
  });

  test('the graph reaches from the tensors in scope to their leaves, named where known', () => {
    const r = new Inspector().inspect(program());
    const g = r.graph!;
    const names = g.nodes.filter((n) => n.kind === 'function').map((n) => n.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'SumBackward0',
        'ReluBackward0',
        'MmBackward0',
        'AddmmBackward0',
        'TBackward0',
      ]),
    );
    const leaves = g.nodes.filter((n) => n.kind === 'leaf').map((n) => n.name);
    expect(leaves).toEqual(
      expect.arrayContaining(['w', 'unused', 'model.fc1.weight', 'model.fc2.bias']),
    );
    const outputs = g.nodes.filter((n) => n.kind === 'output').map((n) => n.name);
    expect(outputs).toEqual(['y', 'loss', 'out']);
    const loss = g.nodes.find((n) => n.kind === 'output' && n.name === 'loss')!;
    const sum = g.nodes.find((n) => n.id === loss.attachedTo)!;
    expect(sum.name).toBe('SumBackward0');
    const relu = g.nodes.find((n) => n.id === sum.next[0]!.id)!;
    expect(relu.name).toBe('ReluBackward0');
    const y = g.nodes.find((n) => n.kind === 'output' && n.name === 'y')!;
    expect(y.attachedTo).toBe(relu.id);
    // The round trip through JSON passes the protocol's validator (edges point at nodes it has).
    expect(parseInspection(JSON.stringify(r)).graph!.nodes.length).toBe(g.nodes.length);
  });

  test('reading changes nothing: no nodes, no version bumps, no AccumulateGrad, same grads', () => {
    const p = program();
    const versions = [p.w, p.x, p.y, p.loss, p.unused].map((t) => t._version);
    const grads = [p.w.grad, p.y.grad, p.unused.grad];
    const gradValues = [p.w.grad!.tolist(), p.y.grad!.tolist()];
    const inspector = new Inspector();
    const api = createInspectApi(inspector);
    const seqBefore = torch.ones(1, { requiresGrad: true }).mul(1).gradFn!.sequenceNr;
    const counts = activity(() => {
      inspector.inspect(p);
      api.inspect(p);
      api.describe(p.y, 'y');
    });
    const seqAfter = torch.ones(1, { requiresGrad: true }).mul(1).gradFn!.sequenceNr;
    expect(counts).toEqual({ nodes: 0, bumps: 0, accumulators: 0 });
    expect(seqAfter).toBe(seqBefore + 1);
    expect([p.w, p.x, p.y, p.loss, p.unused].map((t) => t._version)).toEqual(versions);
    expect([p.w.grad, p.y.grad, p.unused.grad]).toEqual(grads);
    expect(p.w.grad).toBe(grads[0]);
    expect([p.w.grad!.tolist(), p.y.grad!.tolist()]).toEqual(gradValues);
    expect(torch.isGradEnabled()).toBe(true);
  });

  test('the activity counter sees what an op would do (so the test above can fail)', () => {
    const w = torch.ones(2, { requiresGrad: true });
    const counts = activity(() => {
      w.mul(2);
      torch.noGrad(() => w.add_(1));
    });
    expect(counts).toEqual({ nodes: 1, bumps: 1, accumulators: 1 });
  });

  test('ids stay the same from one stop to the next; new tensors and nodes get new ids', () => {
    const inspector = new Inspector();
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const b = a.mul(3);
    const first = inspector.inspect({ a, b });
    const c = b.sum();
    const second = inspector.inspect({ a, b, c });
    const ids = (r: typeof first) => new Set(r.graph!.nodes.map((n) => n.id));
    for (const id of ids(first)) expect(ids(second).has(id)).toBe(true);
    expect(second.tensors.find((t) => t.name === 'b')!.id).toBe(
      first.tensors.find((t) => t.name === 'b')!.id,
    );
    expect([...ids(second)].filter((id) => !ids(first).has(id)).length).toBe(2); // SumBackward0 and the c output
  });

  test('variables that throw on read (a let before its declaration) are skipped', () => {
    const a = torch.ones(2);
    const scope = {
      get a() {
        return a;
      },
      get later(): unknown {
        throw new ReferenceError("Cannot access 'later' before initialization");
      },
    };
    expect(new Inspector().inspect(scope).tensors.map((t) => t.name)).toEqual(['a']);
  });

  test('large tensors are summarised in the debuggee: the answer stays small', () => {
    const big = torch.randn(1000, 1000, { requiresGrad: true });
    const s = big.mul(2).sum();
    const text = createInspectApi().inspect({ big, s });
    expect(text.length).toBeLessThan(3000);
    const r = parseInspection(text);
    expect(r.tensors[0].value.numel).toBe(1_000_000);
    expect(r.tensors[0].value.first).toHaveLength(6);
  });

  test('limits cut the answer and say so', () => {
    let t = torch.ones(1, { requiresGrad: true });
    for (let i = 0; i < 50; i++) t = t.mul(2);
    const r = new Inspector({ maxTensors: 10, maxNodes: 20, maxArrayItems: 4 }).inspect({ t });
    expect(r.truncated).toBe(true);
    expect(r.graph!.nodes.filter((n) => n.kind === 'function').length).toBe(20);
    expect(() => parseInspection(JSON.stringify(r))).not.toThrow();
  });

  test('NaN and Infinity survive as the protocol encodes them', () => {
    const t = torch.tensor([NaN, Infinity, 1]);
    const r = parseInspection(createInspectApi().inspect({ t }));
    expect(r.tensors[0].value).toMatchObject({
      first: ['NaN', 'Infinity', 1],
      nanCount: 1,
      infCount: 1,
      min: 1,
    });
  });
});

describe('parseInspection', () => {
  test('rejects what is not an inspection, naming the field', () => {
    expect(() => parseInspection('undefined')).toThrow(/not JSON/);
    expect(() => parseInspection('{"version":2}')).toThrow(/inspection.version/);
    expect(() =>
      parseInspection('{"version":1,"tensors":[{"name":1}],"graph":null,"truncated":false}'),
    ).toThrow(/inspection.tensors\[0\].name/);
  });
});

describe('debug.cjs, the program the debugger launches', () => {
  let dir: string;
  beforeAll(() => ensureBuilt());
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('runs a TypeScript script against the engine with the inspection API installed', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gradlens-debug-test-'));
    const script = path.join(dir, 'probe.ts');
    writeFileSync(
      script,
      [
        "import * as torch from 'gradlens';",
        'const w = torch.tensor([2, 3], { requiresGrad: true });',
        'const loss = w.mul(w).sum();',
        'loss.backward();',
        'const api = (globalThis as any).__gradlens;',
        'console.log(api.inspect({ get w() { return w; }, get loss() { return loss; } }));',
      ].join('\n'),
    );
    const r = spawnSync(process.execPath, ['--enable-source-maps', DEBUG_CJS, 'probe.ts'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    const inspection = parseInspection(r.stdout.trim());
    expect(inspection.tensors.find((t) => t.name === 'w')!.grad!.first).toEqual([4, 6]);
    const mul = inspection.graph!.nodes.find((n) => n.name === 'MulBackward0')!;
    // Nodes carry the user's line (the debug program records it as ops run).
    expect(mul.location).toMatchObject({ file: script, line: 3 });
  });

  test('a script that does not parse fails with its file and line', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gradlens-debug-test-'));
    writeFileSync(path.join(dir, 'bad.ts'), 'const x = ;\n');
    const r = spawnSync(process.execPath, [DEBUG_CJS, 'bad.ts'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.ts:1:\d+/);
  });
});
