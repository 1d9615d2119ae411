// The bench's one-process run stands for a script under the runner, so it must run with the
// heap settings the runner really gives its Node child.
import { expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs without types
import { RUNNER_HEAP_FLAGS as BENCH_FLAGS } from '../../bench/config.mjs';
import { nodeCommand, RUNNER_HEAP_FLAGS } from '../../src/runner/child-process';

it("runs the one-process bench with the runner child's heap flags", () => {
  expect(BENCH_FLAGS).toEqual(RUNNER_HEAP_FLAGS);
  const args = nodeCommand('child.cjs', undefined).args;
  for (const flag of RUNNER_HEAP_FLAGS) expect(args).toContain(flag);
  // Flags go before the script, or Node would hand them to it as arguments.
  expect(args.indexOf(RUNNER_HEAP_FLAGS[0])).toBeLessThan(args.indexOf('child.cjs'));
});
