// How a line of the op table describes its primitive and the PyTorch programs that check it.
// scripts/gen_fixtures.py reads these programs (scripts/export-op-table.ts prints them as
// JSON), draws their inputs from seeded torch generators, runs them with PyTorch and records
// values, gradients and graphs; test/helpers/program.ts runs the same steps on our engine.
// Nothing here is part of the engine's bundle: only the table and the tests import it.
import type { DType } from '../../dtype';
import type { Tensor } from '../../tensor';
import type { MultiPrimitive } from '../multi-op';
import type { Primitive } from '../op';

export type Arg = number | string | boolean | null | Arg[];
/** `[out, call, ...args]`; a string argument "$name" names an earlier tensor. */
export type Step = [string, string, ...Arg[]];

/**
 * A leaf input. Draws come from torch generators seeded per case; inputs of one `stream`
 * share a generator and draw in order (inputs first, then the gradient), so a case can
 * give two inputs the same values by putting them on different streams.
 */
export interface InputSpec {
  readonly draw: 'randn' | 'rand' | 'randint' | 'literal';
  readonly shape: readonly number[];
  readonly dtype?: DType;
  readonly requiresGrad?: boolean;
  /** randn: `randn * scale + shift`. */
  readonly scale?: number;
  readonly shift?: number;
  /** rand: uniform in [lo, hi); randint: integers in [0, hi). */
  readonly lo?: number;
  readonly hi?: number;
  /** literal: the values, row-major. */
  readonly values?: readonly number[];
  readonly stream?: number;
}

/** One program: its inputs, its steps, and the upstream gradient for a non-scalar output. */
export interface CaseSpec {
  readonly name: string;
  /** Inputs named `_…` are drawn and dropped: they advance a stream without being used. */
  readonly inputs: Readonly<Record<string, InputSpec>>;
  readonly steps: readonly Step[];
  readonly output?: string;
  /** Omitted on a non-scalar output: the generator draws one seeded by the case name. */
  readonly gradient?: InputSpec;
  /** `false`: record the value and graph only. */
  readonly backward?: boolean;
}

/**
 * A name the programs' steps use: the PyTorch callable (Python source, evaluated with
 * `torch`, `F`, `Tensor` and `DTYPES` in scope) and our call.
 */
export interface Call {
  readonly name: string;
  readonly torch: string;
  readonly ours: (...args: never[]) => unknown;
}

/** A tensor method, called as `Tensor.name(x, ...args)` in PyTorch. */
export function method(name: string, ours: Call['ours']): Call {
  return { name, torch: `Tensor.${name}`, ours };
}

/** A function with the same Python spelling as its step name (`torch.cat`, `F.linear`). */
export function fn(name: string, ours: Call['ours']): Call {
  return { name, torch: name, ours };
}

interface DrawOptions {
  readonly dtype?: DType;
  readonly rg?: boolean;
  readonly stream?: number;
}

function draw(
  kind: InputSpec['draw'],
  shape: readonly number[],
  o: DrawOptions,
  extra: Partial<InputSpec> = {},
): InputSpec {
  const spec: InputSpec = { draw: kind, shape, ...extra };
  return {
    ...spec,
    ...(o.dtype === undefined ? {} : { dtype: o.dtype }),
    ...(o.rg === undefined ? {} : { requiresGrad: o.rg }),
    ...(o.stream === undefined ? {} : { stream: o.stream }),
  };
}

/** Standard normal values (times `scale`); requires grad unless `rg: false`. */
export function randn(
  shape: readonly number[] = [],
  o: DrawOptions & { scale?: number; shift?: number } = {},
): InputSpec {
  const extra = {
    ...(o.scale === undefined ? {} : { scale: o.scale }),
    ...(o.shift === undefined ? {} : { shift: o.shift }),
  };
  return draw('randn', shape, o, extra);
}

/** Uniform values in [lo, hi), by default [0.5, 2): safe for log, sqrt and division. */
export function pos(
  shape: readonly number[] = [],
  o: DrawOptions & { lo?: number; hi?: number } = {},
): InputSpec {
  return draw('rand', shape, o, { lo: o.lo ?? 0.5, hi: o.hi ?? 2.0 });
}

/** int64 class indices in [0, hi). */
export function ints(hi: number, shape: readonly number[], o: DrawOptions = {}): InputSpec {
  return draw('randint', shape, o, { hi });
}

/** Given values: floats unless `dtype` says otherwise. */
export function values(
  vals: readonly number[],
  shape: readonly number[] = [vals.length],
  o: DrawOptions = {},
): InputSpec {
  return draw('literal', shape, o, { values: vals });
}

/** The upstream gradient: given values, no grad. */
export function ones(n: number): InputSpec {
  return values(new Array<number>(n).fill(1), [n], { rg: false });
}

/** One program case. */
export function program(
  name: string,
  inputs: Record<string, InputSpec>,
  steps: Step[],
  extra: { gradient?: InputSpec; output?: string; backward?: boolean } = {},
): CaseSpec {
  return { name, inputs, steps, ...extra };
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/** A unary call on random inputs of each shape and dtype: `name [2, 3] float32` and so on. */
export function unary(
  call: string,
  o: {
    pos?: boolean;
    args?: Arg[];
    shapes?: (readonly number[])[];
    dtypes?: DType[];
  } = {},
): CaseSpec[] {
  const out: CaseSpec[] = [];
  for (const dtype of o.dtypes ?? ['float32', 'float64'])
    for (const shape of o.shapes ?? [[2, 3], []]) {
      const x = o.pos === true ? pos(shape, { dtype }) : randn(shape, { dtype });
      out.push(
        program(`${call} ${shapeText(shape)} ${dtype}`, { x }, [
          ['y', call, '$x', ...(o.args ?? [])],
        ]),
      );
    }
  return out;
}

/**
 * A binary call across broadcast shapes, without grad on either side, with a number, and
 * (`fn`) as `torch.call(number, tensor)`. `bPos` keeps the right side away from zero.
 */
export function binary(call: string, o: { bPos?: boolean; fn?: boolean } = {}): CaseSpec[] {
  const right = (shape: readonly number[], d: DrawOptions = {}) =>
    o.bPos === true ? pos(shape, d) : randn(shape, d);
  const step: Step[] = [['y', call, '$a', '$b']];
  const shapes: [number[], number[]][] = [
    [
      [2, 3],
      [2, 3],
    ],
    [[2, 3], [3]],
    [
      [4, 1],
      [1, 3],
    ],
    [
      [2, 1, 3],
      [4, 1],
    ],
    [[], [3]],
  ];
  const out = shapes.map(([sa, sb]) => {
    // The scalar case's first draw (a float64 scalar) is dropped, as the generator always did.
    const a: Record<string, InputSpec> =
      sa.length === 0 ? { _a: randn([], { dtype: 'float64' }), a: randn() } : { a: randn(sa) };
    return program(`${call} ${shapeText(sa)} with ${shapeText(sb)}`, { ...a, b: right(sb) }, step);
  });
  out.push(
    program(
      `${call} float64, b without grad`,
      { a: randn([3, 2], { dtype: 'float64' }), b: right([2], { rg: false, dtype: 'float64' }) },
      step,
    ),
    program(`${call} a without grad`, { a: randn([3], { rg: false }), b: right([3]) }, step),
    program(`${call} with a number`, { a: randn([2, 2]) }, [['y', call, '$a', 2.5]]),
  );
  if (o.fn === true)
    out.push(
      program(`torch.${call}(number, tensor)`, { b: right([3]) }, [
        ['y', `torch.${call}`, 3.0, '$b'],
      ]),
    );
  return out;
}

/** A primitive of the table: one output, or several from one node (`split`). */
export type AnyPrimitive = Primitive<never> | MultiPrimitive<never>;

export interface OpEntry {
  readonly op: AnyPrimitive;
  /** Step names this op's programs introduce (others come from `programCalls`). */
  readonly calls?: readonly Call[];
  readonly cases: readonly CaseSpec[];
}

/** One line of the table: a primitive, its programs, the step names they introduce. */
export const entry = (op: AnyPrimitive, cases: CaseSpec[], calls?: Call[]): OpEntry => ({
  op,
  cases,
  ...(calls === undefined ? {} : { calls }),
});

type Reduction = 'mean' | 'sum' | 'none';

/** A loss with an optional reduction as its last argument, as PyTorch's keyword. */
export function loss(
  name: string,
  ours: (a: Tensor, b: Tensor, o: { reduction: Reduction }) => Tensor,
): Call {
  return {
    name,
    torch: `lambda a, b, r='mean': ${name}(a, b, reduction=r)`,
    ours: (a: Tensor, b: Tensor, r?: Reduction) => ours(a, b, { reduction: r ?? 'mean' }),
  };
}

/** Draw options: a second and third generator at the case's seed (see InputSpec.stream). */
export const s1 = { stream: 1 };
export const s2 = { stream: 2 };
export const f64 = { dtype: 'float64' as DType };
export const noGrad = { rg: false };
