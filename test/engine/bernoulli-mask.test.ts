// A dropout mask (fillBernoulliMask) is drawn in blocks between the generator's twists, and
// compares integers instead of doubles: it must stay, element by element, the mask that one
// randomUnit() per element gives (PyTorch's bernoulli_ without MKL; examples.test.ts checks
// that against PyTorch), wherever in the generator's state it starts.
import { expect, it } from 'vitest';
import { fillBernoulliMask, manualSeed, randomUnit, uniformFloat } from '../../src/engine/random';

/** The mask drawn one uniform double per element. */
function reference(length: number, keep: number, value: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = randomUnit() < keep ? value : 0;
  return out;
}

/** The generator seeded for `offset`, then `offset` draws into its state. */
function seededAt(offset: number): void {
  manualSeed(1234 + offset);
  for (let d = 0; d < offset; d++) uniformFloat(0, 1);
}

it('draws the mask one uniform double per element would, across twists and from any offset', () => {
  // Offsets 0..3 draws into the state: an odd one puts a pair across a twist.
  for (const offset of [0, 1, 2, 3, 623])
    for (const [length, keep] of [
      [1500, 0.8],
      [7, 0.5],
      [313, 0.999],
      [650, 0],
      [650, 1],
    ]) {
      seededAt(offset);
      const mask = new Float32Array(length);
      fillBernoulliMask(mask, keep, 1.25);
      const next = uniformFloat(0, 1);
      seededAt(offset);
      expect(mask).toEqual(reference(length, keep, 1.25));
      // The generator continues where the reference's draws left it.
      expect(next).toBe(uniformFloat(0, 1));
    }
});
