/// <reference types="vite/client" />
// Every primitive in the op table against PyTorch: values, gradients, node names and
// nextFunctions. The table (src/engine/ops/table/) holds each primitive's programs; the
// fixtures are what PyTorch recorded for them (`npm run fixtures`). A primitive missing from
// the table, a table entry without programs, or fixtures older than the table fail here.
import { describe, expect, it } from 'vitest';
import type { Primitive } from '../../src/engine/ops/op';
import { table } from '../../src/engine/ops/table';
import { loadFixture } from '../helpers/fixtures';
import { checkGoldenCase } from '../helpers/golden';
import type { ProgramCase } from '../helpers/program';

const fixtures = loadFixture<Record<string, ProgramCase[]>>('engine-ops.json');
// Loaded lazily, after the engine: an op module imported before it meets the engine's
// import cycle (tensor <-> kernels) half-evaluated.
const opModules = import.meta.glob<Record<string, unknown>>('../../src/engine/ops/*.ts');

function isPrimitive(v: unknown): v is Primitive<never> {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Partial<Primitive<never>>;
  return (
    typeof p.name === 'string' &&
    typeof p.arity === 'number' &&
    typeof p.forward === 'function' &&
    typeof p.backward === 'function'
  );
}

describe('op table coverage', () => {
  const inTable = new Set(table.map((e) => e.op));

  it('every primitive the op modules export is in the table', async () => {
    const modules = await Promise.all(
      Object.entries(opModules).map(async ([file, load]) => [file, await load()] as const),
    );
    const missing = modules.flatMap(([file, exports]) =>
      Object.entries(exports)
        .filter(([, v]) => isPrimitive(v) && !inTable.has(v))
        .map(([name]) => `${file}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it.each(table.map((e) => [e.op.name, e] as const))('%s has programs', (_name, e) => {
    expect(e.cases.length).toBeGreaterThan(0);
  });

  it('the fixtures hold exactly the table programs (else run `npm run fixtures`)', () => {
    const programs = (key: string) =>
      table.filter((e) => e.op.name === key).flatMap((e) => e.cases.map((c) => [c.name, c.steps]));
    const keys = [...new Set(table.map((e) => e.op.name))];
    expect(Object.keys(fixtures).sort()).toEqual(keys.sort());
    for (const key of keys)
      expect(
        fixtures[key].map((c) => [c.name, c.steps]),
        key,
      ).toEqual(programs(key));
  });

  it('every program of a key records that node in its PyTorch graph', () => {
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
