// Hover and inline-gradient lookups on snapshots the real runner captured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  declarationLine,
  hoverMarkdown,
  inlineGradients,
  lookupTensor,
  snapshotAtLine,
} from '../../src/extension/snapshot-lookup';
import type { GraphSnapshot } from '../../src/protocol/messages';
import { launchRunner } from '../../src/runner/launch';
import { CHILD, ensureBuilt } from '../runner/helpers';

const SCRIPT = `import * as torch from 'gradlens';
const x = torch.tensor(2.0, { requiresGrad: true });
const y = x.pow(2).add(x.mul(3));
y.backward();
const w = torch.tensor([1, -2], { requiresGrad: true });
const loss = w.mul(w).sum();
loss.backward();
`;

/** Parameters made in a class field and in a constructor, and an intermediate whose grad is kept. */
const MODEL = `import * as torch from 'gradlens';
class Net extends torch.nn.Module {
  fc1 = new torch.nn.Linear(2, 2);
  fc2: torch.nn.Linear;
  constructor() {
    super();
    this.fc2 = new torch.nn.Linear(2, 1);
  }
  forward(x: torch.Tensor): torch.Tensor {
    return this.fc2.forward(this.fc1.forward(x));
  }
}
const net = new Net();
const x = torch.tensor([[2.0, 1.0]], { requiresGrad: true });
const q = x.mul(3);
q.retainGrad();
const out = net.forward(q).pow(2).sum();
out.backward();
console.log(JSON.stringify(q.grad!.tolist()));
`;

let dir: string;
let file: string;
let snapshots: GraphSnapshot[];
let modelFile: string;
let modelSnapshots: GraphSnapshot[];
/** `q.grad` as the script itself printed it. */
let keptGrad: number[];

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'gradlens-lookup-'));
  file = path.join(dir, 'script.ts');
  writeFileSync(file, SCRIPT);
  const r = await launchRunner({
    script: file,
    captureAt: 'all',
    childPath: CHILD,
    timeoutMs: 30_000,
  }).done;
  expect(r.errors).toEqual([]);
  snapshots = r.snapshots;
  modelFile = path.join(dir, 'model.ts');
  writeFileSync(modelFile, MODEL);
  let printed = '';
  const m = await launchRunner(
    { script: modelFile, childPath: CHILD, timeoutMs: 30_000 },
    { onStdout: (t) => (printed += t) },
  ).done;
  expect(m.errors).toEqual([]);
  modelSnapshots = m.snapshots;
  keptGrad = (JSON.parse(printed) as number[][])[0];
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a leaf hover shows its value, shape, dtype and .grad from the run', () => {
  const info = lookupTensor(snapshots, file, SCRIPT, 4, 'x')!;
  expect(info).toMatchObject({ name: 'x', kind: 'leaf', gradFn: null, backward: 1 });
  expect(info.value!.first).toEqual([2]);
  expect(info.grad!.first).toEqual([7]);
  const md = hoverMarkdown(info, null);
  expect(md).toContain('- value: `2`');
  expect(md).toContain('- dtype: `float32`');
  expect(md).toContain('- .grad: `7`');
  expect(hoverMarkdown(info, 'grad')).toContain('`float32 () 7`');
});

test('an output hover names its gradFn', () => {
  const info = lookupTensor(snapshots, file, SCRIPT, 7, 'loss')!;
  expect(info).toMatchObject({ kind: 'output', gradFn: 'SumBackward0', backward: 2 });
  expect(info.value!.first).toEqual([5]);
});

test('an unnamed intermediate is found through the line that declares it', () => {
  // `y` is an output too; a variable only used inside an expression is not a graph name.
  const text = `${SCRIPT}const z = w.mul(2);\n`;
  expect(lookupTensor(snapshots, file, text, 8, 'nothing')).toBeNull();
  const info = lookupTensor(snapshots, file, SCRIPT.replace('const y =', 'const q ='), 3, 'q');
  expect(info).toMatchObject({ name: 'q', kind: 'function', gradFn: 'AddBackward0' });
  expect(info!.value!.first).toEqual([10]);
});

test('declarationLine finds const/let/assignment lines above the use', () => {
  expect(declarationLine(SCRIPT, 'w', 7)).toBe(5);
  expect(declarationLine('let a: number = 1;\na = 2;\nf(a);', 'a', 3)).toBe(2);
  expect(declarationLine('if (a == 1) {}', 'a')).toBeNull();
  expect(declarationLine('const a = f();\nconsole.log(`a = ${a}`);\nuse(a);', 'a', 3)).toBe(1);
});

test('inline gradients go at the lines that created the leaves', () => {
  expect(inlineGradients(snapshots, file, SCRIPT)).toEqual([
    { line: 2, text: 'x.grad = 7' },
    { line: 5, text: 'w.grad = 2, -4' },
  ]);
  expect(inlineGradients(snapshots, path.join(dir, 'other.ts'), SCRIPT)).toEqual([]);
});

test("a parameter's inline gradient goes where its module is made, or where it was used", () => {
  const byName = (placement: 'creation' | 'use') =>
    new Map(
      inlineGradients(modelSnapshots, modelFile, MODEL, placement).flatMap((g) =>
        g.text.split('   ').map((t) => [t.split('.grad')[0], g.line] as const),
      ),
    );
  const created = byName('creation');
  expect(created.get('fc1.weight')).toBe(3);
  expect(created.get('fc1.bias')).toBe(3);
  expect(created.get('fc2.weight')).toBe(7);
  expect(created.get('x')).toBe(14);
  const used = byName('use');
  expect(used.get('fc1.weight')).toBe(10);
  expect(used.get('fc2.weight')).toBe(10);
  expect(used.get('x')).toBe(15);
});

test('an intermediate whose gradient the script keeps shows it at its declaration', () => {
  const q = inlineGradients(modelSnapshots, modelFile, MODEL).find((g) => g.line === 15);
  const shown = /^q\.grad = (\S+), (\S+)$/.exec(q?.text ?? '');
  expect(shown, q?.text).not.toBeNull();
  expect(Number(shown![1])).toBeCloseTo(keptGrad[0], 3);
  expect(Number(shown![2])).toBeCloseTo(keptGrad[1], 3);
  // Without retainGrad() the script has no q.grad, and nothing is shown for it.
  const unkept = MODEL.replace('q.retainGrad();', '');
  expect(
    inlineGradients(modelSnapshots, modelFile, unkept).some((g) => g.text.startsWith('q.grad')),
  ).toBe(false);
});

test('snapshotAtLine picks the backward() called on that line', () => {
  expect(snapshotAtLine(snapshots, file, 4)).toBe(0);
  expect(snapshotAtLine(snapshots, file, 7)).toBe(1);
  expect(snapshotAtLine(snapshots, file, 3)).toBe(-1);
});
