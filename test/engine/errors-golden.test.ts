// Error cases against PyTorch: our message must contain PyTorch's wording (API.md's table,
// and PyTorch's whole message up to its "Hint:" for the rest).
import { describe, expect, it } from 'vitest';
import { decode, loadFixture } from '../helpers/fixtures';
import { runProgram, type ProgramCase } from '../helpers/program';

const cases = loadFixture<ProgramCase[]>('engine-errors.json');

function messageOf(c: ProgramCase): string {
  try {
    const { output } = runProgram(c);
    // Errors raised by backward itself (e.g. a saved tensor modified in place).
    if (c.backward !== false && output.requiresGrad)
      output.backward(c.gradient ? decode(c.gradient) : undefined);
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return (e as Error).message;
  }
  return expect.fail(`${c.name}: ran without error; PyTorch raised: ${c.error!.torch}`);
}

describe('errors with PyTorch wording', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(c.error!.torch).toContain(c.error!.contains);
    expect(messageOf(c)).toContain(c.error!.contains);
  });
});
