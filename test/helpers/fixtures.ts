// Reading the PyTorch golden fixtures (scripts/gen_fixtures.py writes them) and comparing
// our tensors with them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import * as torch from '../../src/engine/index';

/** A tensor as the generator encodes it: flat row-major values; NaN/±Infinity as strings. */
export interface Encoded {
  shape: number[];
  dtype: torch.DType;
  values: (number | string)[];
  requiresGrad?: boolean;
}

const root = join(__dirname, '..', '..');

/** The `data` member of test/fixtures/<name>. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the fixture's shape, as with JSON.parse
export function loadFixture<T>(name: string): T {
  const file = JSON.parse(readFileSync(join(root, 'test', 'fixtures', name), 'utf8')) as {
    data: T;
  };
  return file.data;
}

export function decodeNumber(v: number | string): number {
  if (typeof v === 'number') return v;
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  throw new Error(`bad number in fixture: ${v}`);
}

/** A leaf tensor from its encoding (requiresGrad as recorded). */
export function decode(e: Encoded): torch.Tensor {
  const values = e.values.map(decodeNumber);
  const flat = torch.tensor(values, { dtype: e.dtype });
  const t = e.shape.length === 1 ? flat : flat.reshape(...e.shape);
  // reshape records nothing here (no grad yet), so `t` is a fresh leaf we may mark.
  return e.requiresGrad ? t.detach().requiresGrad_(true) : t.detach();
}

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** float32 fixtures: rtol 1e-5, atol 1e-6; float64: ten million times tighter in rtol. */
export function toleranceFor(dtype: torch.DType): Tolerance {
  return dtype === 'float64' ? { rtol: 1e-10, atol: 1e-12 } : { rtol: 1e-5, atol: 1e-6 };
}

function flatValues(t: torch.Tensor): number[] {
  const l = t.tolist();
  return Array.isArray(l) ? (l.flat(Infinity as 1) as number[]) : [l];
}

/** Shape, dtype and every value of `actual` match `expected` within the dtype's tolerance. */
export function expectTensorClose(
  actual: torch.Tensor | null,
  expected: Encoded | null,
  what: string,
  tol?: Tolerance,
): void {
  if (expected === null) {
    expect(actual, `${what}: expected null`).toBeNull();
    return;
  }
  expect(actual, `${what}: expected a tensor`).not.toBeNull();
  const a = actual!;
  expect(a.shape, `${what}: shape`).toEqual(expected.shape);
  expect(a.dtype, `${what}: dtype`).toBe(expected.dtype);
  const { rtol, atol } = tol ?? toleranceFor(expected.dtype);
  const got = flatValues(a);
  const want = expected.values.map(decodeNumber);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    const ok = Number.isNaN(w)
      ? Number.isNaN(g)
      : !Number.isFinite(w)
        ? g === w
        : Math.abs(g - w) <= atol + rtol * Math.abs(w);
    if (!ok) {
      expect.fail(
        `${what}: element ${i} is ${g}, PyTorch has ${w} (rtol ${rtol}, atol ${atol})\n got  ${got.slice(0, 12).join(', ')}\n want ${want.slice(0, 12).join(', ')}`,
      );
    }
  }
}
