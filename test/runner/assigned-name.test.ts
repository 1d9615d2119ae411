// Which variable a source line assigns the result of the call at a column to (var-names.ts):
// only the outermost call of the right side is the assigned tensor.
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assignedName } from '../../src/runner/var-names';

const LINES = [
  'const Q = a.pow(3).sub(b.mul(3));',
  'let h: torch.Tensor = torch.relu(x.mm(w));',
  'y = y',
  '  .mul(2)',
  '  .tanh();',
  'if (a.eq(b) == c.sum()) {}',
  'this.state = this.cell(x);',
  'const f = () => x.mul(2);',
  'for (let i = 0; i < 3; i++) h = h.matmul(w).add(b).tanh();',
  'const [w, b] = [torch.randn([3], { requiresGrad: true }), torch.randn([3]).requiresGrad_()];',
  'const { weight, bias: b2 }: Params = { weight: torch.randn([3]), "bias": torch.zeros([3]) };',
  'let c, d;',
  '[c, d] = [x.mul(2), x.mul(3).add(1)];',
  'const [p, q] = makeParams(torch.randn([3]));',
  'let u = 1, v = torch.randn([3]);',
  'const [m, , n] = [',
  '  torch.randn([3]),',
  '  torch.zeros([3]),',
  '  torch.ones([3]).mul(2),',
  '];',
];
const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'gradlens-names-')), 'script.ts');
writeFileSync(file, LINES.join('\n'));

/** The name for the call of `method` on 1-based `line` (the n-th such call on it). */
function at(line: number, method: string, nth = 0): string | null {
  let column = -1;
  for (let i = 0; i <= nth; i++) column = LINES[line - 1].indexOf(`${method}(`, column + 1);
  expect(column).toBeGreaterThanOrEqual(0);
  return assignedName({ file, line, column: column + 1 });
}

describe('assignedName', () => {
  it('names the outermost call of a right side, not the calls inside it', () => {
    expect(at(1, 'sub')).toBe('Q');
    expect(at(1, 'pow')).toBeNull();
    expect(at(1, 'mul')).toBeNull();
    expect(at(2, 'relu')).toBe('h'); // a type annotation and a namespace call
    expect(at(2, 'mm')).toBeNull();
  });

  it('reads a chain continued on the following lines', () => {
    expect(at(5, 'tanh')).toBe('y');
    expect(at(4, 'mul')).toBeNull();
  });

  it('ignores comparisons and arrow functions, and shows this.x as x', () => {
    expect(at(6, 'eq')).toBeNull();
    expect(at(6, 'sum')).toBeNull();
    expect(at(7, 'cell')).toBe('state');
    expect(at(8, 'mul')).toBeNull();
  });

  it('reads an assignment after a loop header on the same line', () => {
    expect(at(9, 'tanh')).toBe('h');
    expect(at(9, 'matmul')).toBeNull();
  });

  it('names each element of a destructured array or object literal, as tuple unpacking does', () => {
    expect(at(10, 'randn')).toBe('w');
    expect(at(10, 'requiresGrad_')).toBe('b');
    expect(at(10, 'randn', 1)).toBeNull(); // inside b's element, not its outermost call
    expect(at(11, 'randn')).toBe('weight');
    expect(at(11, 'zeros')).toBe('b2'); // by key, renamed by the pattern
    expect(at(13, 'mul')).toBe('c'); // an assignment to names declared before
    expect(at(13, 'add')).toBe('d');
    expect(at(13, 'mul', 1)).toBeNull();
  });

  it('reads a destructured literal over several lines, skipping holes', () => {
    expect(at(17, 'randn')).toBe('m');
    expect(at(18, 'zeros')).toBeNull();
    expect(at(19, 'mul')).toBe('n');
    expect(at(19, 'ones')).toBeNull();
  });

  it('names nothing the source does not pair with a variable', () => {
    // A call returning the array: which element is which tensor is not in the source.
    expect(at(14, 'makeParams')).toBeNull();
    expect(at(14, 'randn')).toBeNull();
    // The second declarator's value is not the first's.
    expect(at(15, 'randn')).not.toBe('u');
  });
});
