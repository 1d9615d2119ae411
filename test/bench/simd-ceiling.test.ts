// W4's ceiling (bench/simd-ceiling.mjs) must time the arithmetic it counts: TurboFan drops any
// accumulator whose value the result does not use, which would count flops never done.
import { expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs without types
import { ceilingModule } from '../../bench/simd-ceiling.mjs';
import { relaxedSimdSupported } from '../../src/engine/wasm/relaxed-simd';

const build = ceilingModule as (relaxed: boolean) => Uint8Array<ArrayBuffer>;

function peak(relaxed: boolean): (turns: number) => number {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(build(relaxed)));
  return instance.exports.peak as (turns: number) => number;
}

/** Every accumulator (k/16, k = 1..12) after `turns` of acc·0.5 + 0.25, summed: the result depends on all twelve. */
function expected(turns: number): number {
  let sum = 0;
  for (let k = 1; k <= 12; k++) {
    let acc = k / 16;
    for (let t = 0; t < turns; t++) acc = acc * 0.5 + 0.25;
    sum += acc;
  }
  return sum;
}

it('sums every accumulator, so that none of the counted multiply-adds is dead code', () => {
  for (const turns of [1, 2, 3]) expect(peak(false)(turns)).toBeCloseTo(expected(turns), 5);
});

it.runIf(relaxedSimdSupported())('builds the same loop with relaxed SIMD', () => {
  for (const turns of [1, 2, 3]) expect(peak(true)(turns)).toBeCloseTo(expected(turns), 5);
});
