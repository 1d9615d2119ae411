// Graph structure against PyTorch: broadcasting, reused inputs, diamonds, long chains,
// composites (MLP, cross-entropy, l1), in-place on a non-leaf.
import { describe, it } from 'vitest';
import { loadFixture } from '../helpers/fixtures';
import { checkGoldenCase } from '../helpers/golden';
import type { ProgramCase } from '../helpers/program';

const cases = loadFixture<ProgramCase[]>('engine-graphs.json');

describe('graphs against PyTorch', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    checkGoldenCase(c);
  });
});
