import { describe, expect, test } from 'vitest';
import {
  blankCommentsAndStrings,
  findBackwardCalls,
  importsGradlens,
} from '../../src/extension/backward-calls';
import { importsTorch } from '../../src/extension/python-source';

const IMPORT = "import * as torch from 'gradlens';\n";

describe('findBackwardCalls (CodeLens positions)', () => {
  test('finds every .backward( call with its 1-based line and column', () => {
    const text = `${IMPORT}const y = x.pow(2);\ny.backward();\nfor (;;) {\n  loss .backward( { retainGraph: true });\n}\n`;
    expect(findBackwardCalls(text)).toEqual([
      { line: 3, column: 2 },
      { line: 5, column: 8 },
    ]);
  });

  test('ignores calls in comments and strings', () => {
    const text = `${IMPORT}// y.backward();\n/* z.backward()\n */ const s = "a.backward()"; const t = \`b.backward()\`;\nq.backward();\n`;
    expect(findBackwardCalls(text)).toEqual([{ line: 5, column: 2 }]);
  });

  test('no lenses in scripts that do not import gradlens', () => {
    expect(findBackwardCalls("import * as tf from 'other';\ny.backward();\n")).toEqual([]);
  });

  test('require and dynamic import count as importing gradlens', () => {
    expect(importsGradlens("const torch = require('gradlens');")).toBe(true);
    expect(importsGradlens('const torch = await import("gradlens");')).toBe(true);
    expect(importsGradlens("import x from 'gradlens-extra';")).toBe(false);
  });

  test('blanking keeps offsets and newlines', () => {
    const text = "a('x\\'y')\n// c\nb";
    const out = blankCommentsAndStrings(text);
    expect(out.length).toBe(text.length);
    expect(out.split('\n').length).toBe(3);
    expect(out).toBe("a('    ')\n    \nb");
  });
});

describe('findBackwardCalls in Python', () => {
  test('finds calls in files that import torch, not in comments, strings or docstrings', () => {
    const text = [
      'import torch',
      '"""Call loss.backward() to train."""',
      "x = f'{loss.backward()}'  # loss.backward()",
      'loss.backward()',
      "s = r'\\\\'; loss . backward(retain_graph=True)",
      "t = '''",
      'y.backward()',
      "'''",
      'torch.autograd.grad(z, w); z.backward()',
    ].join('\n');
    expect(findBackwardCalls(text, 'python')).toEqual([
      { line: 4, column: 5 },
      { line: 5, column: 17 },
      { line: 9, column: 29 },
    ]);
  });

  test('needs torch imported, either way', () => {
    expect(findBackwardCalls('loss.backward()\n', 'python')).toEqual([]);
    expect(findBackwardCalls('from torch import nn\nloss.backward()\n', 'python')).toEqual([
      { line: 2, column: 5 },
    ]);
    expect(importsTorch('import torchvision\n')).toBe(false);
  });
});
