// Every primitive in the op table against PyTorch: values, gradients, node names and
// nextFunctions. Fixtures are keyed by the primitive's node name, so adding a primitive
// without adding its PyTorch cases to scripts/gen_fixtures.py fails here.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { loadFixture } from '../helpers/fixtures';
import { checkGoldenCase } from '../helpers/golden';
import type { ProgramCase } from '../helpers/program';

const fixtures = loadFixture<Record<string, ProgramCase[]>>('engine-ops.json');

describe('op table coverage', () => {
  const names = torch._primitives.map((p) => p.name);

  it.each(names)('%s has PyTorch fixtures', (name) => {
    expect(
      fixtures[name]?.length ?? 0,
      `no case in engine-ops.json for primitive ${name}`,
    ).toBeGreaterThan(0);
  });

  it('every fixture key is a primitive in the table', () => {
    expect(Object.keys(fixtures).filter((k) => !names.includes(k))).toEqual([]);
  });

  it('every case of a key records that node in its PyTorch graph', () => {
    for (const [key, cases] of Object.entries(fixtures)) {
      for (const c of cases)
        expect(
          c.expect!.graph!.map((n) => n.name),
          c.name,
        ).toContain(key);
    }
  });
});

describe.each(Object.entries(fixtures))('%s against PyTorch', (_key, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    checkGoldenCase(c);
  });
});
