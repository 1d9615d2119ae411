// Hovers and inline gradients on a Python script, from a real run of it through the tracer:
// the lookups read the code with comments and strings blanked, so an apostrophe in a comment
// does not hide the assignments after it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { blankPythonCommentsAndStrings } from '../../src/extension/python-source';
import { inlineGradients, lookupTensor } from '../../src/extension/snapshot-lookup';
import type { GraphSnapshot } from '../../src/protocol/messages';
import { launchRunner } from '../../src/runner/launch';
import { ROOT } from '../runner/helpers';

const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';
const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-pylookup-'));
const file = path.join(dir, 'retain_grad.py');
// An apostrophe in a comment, and an assignment-looking text in a string, above the code.
const text = `# Q's history: see "Q = a**3" below\nnote = "P = nothing"\n${readFileSync(path.join(ROOT, 'examples/python/retain_grad.py'), 'utf8')}`;
let snapshots: GraphSnapshot[] = [];

beforeAll(async () => {
  writeFileSync(file, text);
  const r = await launchRunner({ script: file, python: PYTHON, timeoutMs: 60_000 }).done;
  expect(r.errors).toEqual([]);
  snapshots = r.snapshots;
}, 60_000);

const lineOf = (needle: string): number =>
  text.split('\n').findIndex((l) => l.startsWith(needle)) + 1;

test('inline gradients go at the lines that made the leaves', () => {
  const inline = inlineGradients(snapshots, file, blankPythonCommentsAndStrings(text));
  expect(inline).toContainEqual({ line: lineOf('a = torch.tensor'), text: 'a.grad = -384' });
  expect(inline).toContainEqual({ line: lineOf('b = torch.tensor'), text: 'b.grad = 96' });
  // Q.retain_grad() keeps the gradient of an intermediate: it shows where Q is assigned.
  expect(inline).toContainEqual({ line: lineOf('Q = a**3'), text: 'Q.grad = -32' });
});

test("a module's parameters show their .grad where the module is made (self.fc = ...)", async () => {
  const model = path.join(dir, 'model.py');
  const source = [
    'import torch',
    '',
    'class Net(torch.nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.fc = torch.nn.Linear(2, 1)',
    '',
    '    def forward(self, x):',
    '        return self.fc(x)',
    '',
    'Net()(torch.tensor([[1.0, 2.0]])).sum().backward()',
    '',
  ].join('\n');
  writeFileSync(model, source);
  const r = await launchRunner({ script: model, python: PYTHON, timeoutMs: 60_000 }).done;
  expect(r.errors).toEqual([]);
  const inline = inlineGradients(r.snapshots, model, blankPythonCommentsAndStrings(source));
  expect(inline).toEqual([{ line: 6, text: 'fc.bias.grad = 1   fc.weight.grad = 1, 2' }]);
  const used = inlineGradients(r.snapshots, model, blankPythonCommentsAndStrings(source), 'use');
  expect(used.map((g) => g.line)).not.toContain(6);
}, 60_000);

test('a hover on Q finds its assignment, not the comment or the string', () => {
  const info = lookupTensor(
    snapshots,
    file,
    blankPythonCommentsAndStrings(text),
    lineOf('print("Q", Q.item())'),
    'Q',
  )!;
  expect(info.gradFn).toBe('SubBackward0');
  expect(info.value?.first).toEqual([-16]);
  expect(info.grad?.first).toEqual([-32]);
});

test("in a notebook, a cell's hovers and inline gradients are that cell's own", async () => {
  const nb = path.join(ROOT, 'examples/python/autograd_seed.ipynb');
  const r = await launchRunner({ script: nb, python: PYTHON, timeoutMs: 60_000 }).done;
  expect(r.errors).toEqual([]);
  const cells = (JSON.parse(readFileSync(nb, 'utf8')) as { cells: { source: string[] }[] }).cells;
  const source = (i: number): string => blankPythonCommentsAndStrings(cells[i].source.join(''));
  // Cell 6 (index 5) is the scalar Q/P; cell 8 (index 7) makes a vector Q of its own.
  expect(cells[5].source[0]).toMatch(/^Q = a\*\*3/);
  expect(inlineGradients(r.snapshots, nb, source(5), 'creation', 5)).toEqual([
    { line: 1, text: 'a.grad = -384   b.grad = 96   Q.grad = -32' },
  ]);
  const q = lookupTensor(r.snapshots, nb, source(5), 3, 'Q', 5);
  expect(q?.backward).toBe(1);
  expect(q?.value?.shape).toEqual([]);
  // The same name in cell 8 is the vector Q of the second backward().
  expect(lookupTensor(r.snapshots, nb, source(7), 5, 'Q', 7)?.value?.shape).toEqual([2]);
  // A cell without a graph of its own shows nothing inline.
  expect(inlineGradients(r.snapshots, nb, source(1), 'creation', 1)).toEqual([]);
}, 60_000);
