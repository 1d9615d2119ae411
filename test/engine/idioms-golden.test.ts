// PyTorch idioms against PyTorch (test/fixtures/engine-idioms.json, from
// scripts/gen_idiom_fixtures.py): arange/linspace bit for bit, the dtype constants and the
// factories' option errors.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { loadFixture } from './../helpers/fixtures';

interface RangeCase {
  fn: 'arange' | 'linspace';
  args: number[];
  dtype: torch.DType;
  values: (string | number)[];
}
interface ErrorCase {
  name: string;
  torch: string;
  contains: string;
}
const fixture = loadFixture<{ ranges: RangeCase[]; errors: ErrorCase[] }>('engine-idioms.json');

/** Each element as PyTorch's fixture encodes it: the hex of its bits, or the integer. */
function bitsOf(t: torch.Tensor): (string | number)[] {
  const values = t.tolist() as number[];
  if (t.dtype === 'int64') return values;
  const width = t.dtype === 'float32' ? 4 : 8;
  return values.map((v) => {
    const view = new DataView(new ArrayBuffer(width));
    if (width === 4) view.setFloat32(0, v);
    else view.setFloat64(0, v);
    return [...new Uint8Array(view.buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
  });
}

function range(c: RangeCase): torch.Tensor {
  const [a, b, n] = c.args;
  return c.fn === 'linspace'
    ? torch.linspace(a, b, n, { dtype: c.dtype })
    : torch.arange(a, b, n, { dtype: c.dtype });
}

describe('arange and linspace give PyTorch float32/float64 bits', () => {
  it.each(fixture.ranges.map((c) => [`${c.fn}(${c.args.join(', ')}) ${c.dtype}`, c] as const))(
    '%s',
    (_name, c) => {
      expect(bitsOf(range(c))).toEqual(c.values);
    },
  );

  it("the issue's case: linspace(-3.14159, 3.14159, 7)[3] is -1.1921e-07", () => {
    expect(torch.linspace(-3.14159, 3.14159, 7).select(0, 3).item()).toBe(-Math.pow(2, -23));
  });
});

/** Our spelling of each fixture error case. */
const calls: Record<string, () => unknown> = {
  "tensor([1], { dtype: 'int32' })": () => torch.tensor([1], { dtype: 'int32' as torch.DType }),
  'tensor([1], { foo: 1 })': () => torch.tensor([1], { foo: 1 } as torch.TensorOptions),
  'linspace(0, 1, 3, { foo: 2 })': () => torch.linspace(0, 1, 3, { foo: 2 } as torch.TensorOptions),
  'randn(2, { dtype: torch.int64 })': () => torch.randn(2, { dtype: torch.int64 }),
  'rand(2, { dtype: torch.int64 })': () => torch.rand(2, { dtype: torch.int64 }),
  'tensor([1], { dtype: torch.int64, requiresGrad: true })': () =>
    torch.tensor([1], { dtype: torch.int64, requiresGrad: true }),
  'arange(0, 5, -1)': () => torch.arange(0, 5, -1),
  'x.mT of 1-D': () => torch.ones(3).mT,
};

describe('errors as PyTorch words them', () => {
  it.each(fixture.errors.map((c) => [c.name, c] as const))('%s', (name, c) => {
    expect(Object.keys(calls)).toContain(name);
    expect(calls[name]).toThrow(c.contains);
  });
});

describe('dtypes', () => {
  it('constants with PyTorch names', () => {
    expect([torch.float32, torch.float, torch.float64, torch.double]).toEqual([
      'float32',
      'float32',
      'float64',
      'float64',
    ]);
    expect([torch.int64, torch.long, torch.bool]).toEqual(['int64', 'int64', 'bool']);
  });

  it('every factory honours dtype', () => {
    const made: [string, torch.Tensor][] = [
      ['tensor', torch.tensor([1, 2], { dtype: torch.int64 })],
      ['zeros', torch.zeros([2, 3], { dtype: torch.int64 })],
      ['ones', torch.ones(2, { dtype: torch.bool })],
      ['full', torch.full([2], 7, { dtype: torch.float64 })],
      ['empty', torch.empty(2, { dtype: torch.long })],
      ['rand', torch.rand(2, { dtype: torch.double })],
      ['randn', torch.randn(2, { dtype: torch.float64 })],
      ['arange', torch.arange(0, 3, 1, { dtype: torch.float })],
      ['linspace', torch.linspace(0, 1, 3, { dtype: torch.float64 })],
      ['eye', torch.eye(2, { dtype: torch.int64 })],
      ['zerosLike', torch.zerosLike(torch.ones(2), { dtype: torch.int64 })],
      ['onesLike', torch.onesLike(torch.ones(2), { dtype: torch.float64 })],
      ['randnLike', torch.randnLike(torch.ones(2), { dtype: torch.float64 })],
      ['fullLike', torch.fullLike(torch.ones(2), 1, { dtype: torch.int64 })],
      ['randperm', torch.randperm(3, { dtype: torch.float32 })],
    ];
    expect(made.map(([n, t]) => `${n} ${t.dtype}`)).toEqual([
      'tensor int64',
      'zeros int64',
      'ones bool',
      'full float64',
      'empty int64',
      'rand float64',
      'randn float64',
      'arange float32',
      'linspace float64',
      'eye int64',
      'zerosLike int64',
      'onesLike float64',
      'randnLike float64',
      'fullLike int64',
      'randperm float32',
    ]);
  });

  it('{ dtype: undefined } (a misspelt constant) is an error, not the default', () => {
    const misspelt = (torch as unknown as Record<string, torch.DType>).int46;
    expect(() => torch.zeros([2, 3], { dtype: misspelt })).toThrow(
      "zeros(): argument 'dtype' must be torch.dtype, not undefined",
    );
    expect(() => torch.onesLike(torch.ones(1), { dtype: misspelt })).toThrow('not undefined');
  });

  it('an unknown option key is an error', () => {
    expect(() => torch.zeros(2, { requires_grad: true } as torch.TensorOptions)).toThrow(
      "zeros() got an unexpected keyword argument 'requires_grad'",
    );
  });
});
