// One golden program case checked against PyTorch: value, graph, gradients.
import { expect } from 'vitest';
import { decode, expectTensorClose } from './fixtures';
import { describeGraph, runProgram, type ProgramCase } from './program';

/** Runs `c` on our engine and compares everything PyTorch recorded for it. */
export function checkGoldenCase(c: ProgramCase): void {
  const exp = c.expect!;
  const { output, leaves } = runProgram(c);
  expectTensorClose(output, exp.value, `${c.name}: value`);
  expect(describeGraph(output, leaves), `${c.name}: graph`).toEqual(exp.graph);
  if (exp.grads === undefined) return;
  output.backward(c.gradient ? decode(c.gradient) : undefined);
  for (const [name, g] of Object.entries(exp.grads)) {
    expectTensorClose(leaves.get(name)!.grad, g, `${c.name}: grad of ${name}`);
  }
}
