// Every primitive op, each with the calls that reach it and the PyTorch programs that check
// it. This table is the one source the golden tests read (test/engine/ops-golden.test.ts:
// a primitive missing here, or without programs, fails) and the fixture generator reads
// (scripts/gen_fixtures.py, through scripts/export-op-table.ts). Adding an op: its
// primitive, one entry in the file of its family here, its line in ../backward-rules.ts, its
// Tensor method.
import * as torch from '../../index';
import type { Tensor } from '../../tensor';
import { activations } from './activations';
import { convolution } from './convolution';
import { elementwise } from './elementwise';
import { embedding } from './embedding';
import { gather } from './gather';
import { indexing } from './indexing';
import { inplace } from './inplace';
import { linalg } from './linalg';
import { masks } from './masks';
import { normalization } from './normalization';
import { losses } from './loss';
import { loss, method, type AnyPrimitive, type Call, type OpEntry } from './programs';
import { products } from './products';
import { reduce } from './reduce';
import { statistics } from './statistics';
import { views } from './views';

type T = Tensor;
const F = torch.nn.functional;

export const table: readonly OpEntry[] = [
  ...elementwise,
  ...activations,
  ...reduce,
  ...statistics,
  ...products,
  ...masks,
  ...views,
  ...gather,
  ...indexing,
  ...embedding,
  ...normalization,
  ...convolution,
  ...linalg,
  ...losses,
  ...inplace,
];

/** Steps the programs use that are not one primitive's own: comparisons, in-place, autograd. */
export const programCalls: readonly Call[] = [
  ...(['gt', 'lt', 'ge', 'le', 'eq'] as const).map((c) =>
    method(c, (x: T, y: T | number) => x[c](y)),
  ),
  ...(['add_', 'sub_', 'mul_', 'div_'] as const).map((c) =>
    method(c, (x: T, y: T | number) => x[c](y)),
  ),
  method('detach', (x: T) => x.detach()),
  {
    // a view made under no_grad (PyTorch refuses to write it in place with grad mode on)
    name: 'select.no_grad',
    torch: 'lambda x, d, i: torch.no_grad()(lambda: x.select(d, i))()',
    ours: (x: T, d: number, i: number) => torch.noGrad(() => x.select(d, i)),
  },
  method('backward', (x: T) => {
    x.backward();
  }),
  loss('F.l1_loss', F.l1Loss),
  {
    name: 'torch.manual_seed',
    torch: 'lambda s: torch.manual_seed(s) and None',
    ours: (s: number) => {
      torch.manualSeed(s);
    },
  },
  {
    name: 'multinomial',
    torch: 'lambda p, n, r=False: torch.multinomial(p, n, r)',
    ours: (p: T, n: number, r?: boolean) => torch.multinomial(p, n, r),
  },
  {
    name: 'randint',
    torch: 'lambda lo, hi, size: torch.randint(lo, hi, tuple(size))',
    ours: (lo: number, hi: number, size: number[]) => torch.randint(lo, hi, size),
  },
  {
    // autograd.grad(out, inp, gradOut, createGraph=True): the gradient, with its history
    name: 'grad',
    torch: 'lambda out, inp, g: torch.autograd.grad(out, inp, g, create_graph=True)[0]',
    ours: (out: T, inp: T, g: T) =>
      torch.autograd.grad(out, inp, { gradOutputs: g, createGraph: true })[0],
  },
];

/** Every primitive op, in table order. */
export const primitives: readonly AnyPrimitive[] = table.map((e) => e.op);

/** Every step name the programs may use. */
export const calls: readonly Call[] = [...table.flatMap((e) => e.calls ?? []), ...programCalls];
