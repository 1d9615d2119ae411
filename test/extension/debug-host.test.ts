// Host logic of breakpoint capture that needs no VS Code: the expression sent to the paused
// debuggee (evaluated here for real against the inspection API), hover expressions, inline
// value placement and texts, what changed between stops, and the launch configuration.
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/engine/index';
import { debugConfiguration, importsGradlens } from '../../src/extension/debug/config';
import { expressionAt, inspectExpression } from '../../src/extension/debug/expressions';
import {
  changeText,
  diffInspections,
  hoverExpression,
  inlineText,
  placeInlineValues,
  tensorForExpression,
  valuesText,
} from '../../src/extension/debug/present';
import { tokenize, variableLines } from '../../src/extension/script-tokens';
import { createInspectApi } from '../../src/runner/debug/api';
import { parseInspection } from '../../src/runner/debug/protocol';

describe('inspectExpression', () => {
  test('evaluated in a frame, it inspects that frame’s variables, `this` and all, skipping a let in its TDZ', () => {
    const api = createInspectApi();
    const expr = inspectExpression([
      { name: 'w' },
      { name: 'this' },
      { name: 'later' },
      { name: 'w' },
      { name: 'module' },
      { name: 'weird name' },
    ]);
    expect(expr).not.toContain('weird');
    expect(expr).not.toContain('module');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the expression as the debugger would
    const frame = new Function(
      '__gradlens',
      'torch',
      `
      const w = torch.ones(2, { requiresGrad: true });
      const self = { fc: new torch.nn.Linear(2, 1) };
      return (function () {
        const globalThis = { __gradlens };
        const r = ${expr};
        let later = 1;
        return r;
      }).call(self.fc);
    `,
    ) as (api: unknown, t: typeof torch) => string;
    const r = parseInspection(frame(api, torch));
    expect(r.tensors.map((t) => t.name)).toEqual(['w', 'this.weight', 'this.bias']);
  });

  test('answers null where the inspection API is not installed', () => {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the expression as the debugger would
    const evaluate = new Function(`return ${inspectExpression([{ name: 'x' }])}`) as () => unknown;
    expect(evaluate()).toBe('null');
  });

  test('uses the adapter’s evaluateName when it differs (renamed by the bundler)', () => {
    expect(inspectExpression([{ name: 'w', evaluateName: 'w2' }])).toContain('["w", () => w2]');
  });
});

describe('expressionAt', () => {
  const line = '  const out = this.fc1.weight.matmul(x!.grad) + model?.fc2.bias;';
  const at = (word: string, nth = 0) => {
    let i = -1;
    for (let k = 0; k <= nth; k++) i = line.indexOf(word, i + 1);
    return expressionAt(line, i + 1)?.text;
  };
  test('takes the member chain up to the hovered word', () => {
    expect(at('weight')).toBe('this.fc1.weight');
    expect(at('fc1')).toBe('this.fc1');
    expect(at('out')).toBe('out');
    expect(at('grad')).toBe('x!.grad');
    expect(at('bias')).toBe('model?.fc2.bias');
  });
  test('null off identifiers', () => {
    expect(expressionAt(line, 0)).toBeNull();
    expect(expressionAt('x = 3.5', 5)).toBeNull();
  });
});

function inspectionOf(scope: object) {
  return parseInspection(createInspectApi().inspect(scope));
}

describe('presentation', () => {
  const w = torch.tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { requiresGrad: true },
  );
  const big = torch.arange(0, 100).div(3);
  const y = w.mul(w).sum();
  y.backward();
  const r = inspectionOf({ w, big, y });
  const byName = (n: string) => r.tensors.find((t) => t.name === n)!;

  test('inline texts give shape, values, grad and gradFn', () => {
    expect(inlineText(byName('w'))).toBe('w = [2×2] [1, 2, 3, 4] · grad [2, 4, 6, 8] · leaf');
    expect(inlineText(byName('y'))).toBe('y = scalar 30 · SumBackward0');
    expect(valuesText(byName('big').value)).toBe(
      '[0, 0.3333, 0.6667, 1, 1.333, 1.667, …] min 0 max 33 mean 16.5',
    );
  });

  test('the hover expression is a literal object with .grad, gradFn, isLeaf, requiresGrad', () => {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the expression as the debugger would
    const evaluate = new Function(`return ${hoverExpression(byName('w'))}`) as () => unknown;
    const o = evaluate();
    expect(o).toEqual({
      shape: '[2×2]',
      dtype: 'float32',
      values: '[1, 2, 3, 4]',
      grad: '[2×2] [2, 4, 6, 8]',
      gradFn: null,
      isLeaf: true,
      requiresGrad: true,
      retainsGrad: false,
      version: 0,
    });
    expect(tensorForExpression(r, 'w.grad')!.value.first).toEqual([2, 4, 6, 8]);
    expect(tensorForExpression(r, 'y')!.gradFn).toBe('SumBackward0');
    expect(tensorForExpression(r, 'nope')).toBeNull();
  });

  test('inline values go on the latest line at or above the stop that assigns the variable', () => {
    const lines = [
      "import * as torch from 'gradlens';",
      'let w = torch.ones(2); // w = 1',
      'const big = torch.zeros(3);',
      'for (let i = 0; i < 3; i++) {',
      '  w = w.add(1);',
      '  print(w, y);',
      '}',
      'const y = w.sum();',
    ];
    const t = (name: string) => ({ ...byName('w'), name });
    const placed = placeInlineValues(
      lines,
      [t('w'), t('big'), t('y'), t('model.fc.weight')],
      5,
      0,
      7,
    );
    expect(placed.map((p) => [p.line, p.text.split(' ')[0]])).toEqual([
      [4, 'w'],
      [2, 'big'],
      [5, 'y'],
    ]);
    // Nothing below the stop, nothing outside the visible range.
    expect(placeInlineValues(lines, [t('y')], 7, 0, 7)[0].line).toBe(7);
    expect(placeInlineValues(lines, [t('w')], 5, 5, 7)).toEqual([
      { line: 5, text: expect.stringMatching(/^w = /) as unknown },
    ]);
  });

  test('assignments inside template literals, strings and comments are not assignments', () => {
    // examples/retain-grad.ts at its second stop: Q and P were set on lines 3 and 5.
    const lines = [
      "import * as torch from 'gradlens';",
      'const a = torch.tensor([2.0], { requiresGrad: true });',
      'const b = torch.tensor([8.0], { requiresGrad: true });',
      'const Q = a.pow(3).sub(b.mul(3));',
      'Q.retainGrad();',
      'const P = Q.pow(2);',
      'console.log(`Q = ${Q}`);',
      'console.log(\'P = \' + P, "Q = ", /Q = /.test(String(Q)));',
      '/* P = Q */ // Q = P',
      'P.backward();',
    ];
    const t = (name: string) => ({ ...byName('w'), name });
    const placed = placeInlineValues(lines, [t('Q'), t('P')], 9, 0, 9);
    expect(placed.map((p) => [p.line, p.text.split(' ')[0]])).toEqual([
      [3, 'Q'],
      [5, 'P'],
    ]);
  });

  test('declarations and assignments from tokens: destructuring, compound operators, members', () => {
    const tokens = tokenize(
      [
        'const { w, b: [bias] } = params;', // 0: w and bias declared
        'for (const [k, v] of xs) v;', // 1: k and v declared
        'w += 1; obj.bias = 2;', // 2: w assigned; obj.bias is another variable's member
        'if (w === bias) f(w, bias);', // 3: compared and passed: mentions only
        'const s = `${bias} ${`${w = 3}`}`;', // 4: an assignment inside a template's code counts
        'let x = a / w / 2; const r = /w = 1/g;', // 5: division and a regular expression
      ].join('\n'),
    );
    const lines = (name: string) => {
      const v = variableLines(tokens, name);
      return { assigned: [...v.assigned].sort(), mentioned: [...v.mentioned].sort() };
    };
    expect(lines('w')).toEqual({ assigned: [0, 2, 4], mentioned: [0, 2, 3, 4, 5] });
    expect(lines('bias')).toEqual({ assigned: [0], mentioned: [0, 3, 4] });
    expect(lines('v')).toEqual({ assigned: [1], mentioned: [1] });
    expect(lines('k').assigned).toEqual([1]);
    expect(lines('b')).toEqual({ assigned: [], mentioned: [] }); // a property key
  });

  test('what changed between stops: new nodes and tensors whose value or grad moved', () => {
    const api = createInspectApi();
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const b = a.mul(2);
    const first = parseInspection(api.inspect({ a, b }));
    const c = b.sum();
    c.backward();
    const second = parseInspection(api.inspect({ a, b, c }));
    const change = diffInspections(first, second);
    expect(change.changed).toEqual(['a', 'c']);
    expect(change.newNodes).toHaveLength(2);
    expect(changeText(change, false)).toBe('+2 nodes; changed: a, c');
    expect(changeText(diffInspections(second, second), false)).toBe('nothing changed');
    expect(changeText(diffInspections(null, first), true)).toBe('first stop');
  });
});

describe('launch configuration', () => {
  test('runs debug.cjs under the node debugger with source maps resolved in the bundle dir', () => {
    const c = debugConfiguration({
      script: '/ws/train.ts',
      cwd: '/ws',
      extensionPath: '/ext',
      bundleDir: '/tmp/gradlens-debug-1',
    });
    expect(c).toMatchObject({
      type: 'node',
      request: 'launch',
      program: path.join('/ext', 'dist', 'runner', 'debug.cjs'),
      args: ['/ws/train.ts'],
      cwd: '/ws',
      sourceMaps: true,
      env: { TMPDIR: '/tmp/gradlens-debug-1', GRADLENS_THREADS: '1' },
      __gradlens: true,
    });
    expect(c.resolveSourceMapLocations[0]).toBe('/tmp/gradlens-debug-1/**');
    expect(c.skipFiles).toContain('/ext/dist/**');
  });
  test('scripts that import gradlens get the Debug lens', () => {
    expect(importsGradlens("import * as torch from 'gradlens';")).toBe(true);
    expect(importsGradlens("const torch = require('gradlens')")).toBe(true);
    expect(importsGradlens("import * as torch from 'gradlens-other';")).toBe(false);
  });
});
