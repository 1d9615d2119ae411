// The bench's Gradlens columns and its one-process run stand for a script under the runner,
// so they must run with exactly the Node flags the runner gives its Node child; the other
// Node peers (tfjs) keep Node's defaults.
import { expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs without types
import * as config from '../../bench/config.mjs';
import { nodeCommand, RUNNER_HEAP_FLAGS } from '../../src/runner/child-process';

interface NodePeer {
  id: string;
  impl: string;
  kind: string;
  nodeFlags?: string[];
}
const {
  PEERS,
  RUNNER_HEAP_FLAGS: BENCH_HEAP_FLAGS,
  RUNNER_NODE_FLAGS: BENCH_NODE_FLAGS,
} = config as { PEERS: NodePeer[]; RUNNER_HEAP_FLAGS: string[]; RUNNER_NODE_FLAGS: string[] };

it("runs the Gradlens columns and the one-process run with the runner child's Node flags", () => {
  expect(BENCH_HEAP_FLAGS).toEqual(RUNNER_HEAP_FLAGS);
  const args = nodeCommand('child.cjs', undefined).args;
  // Flags go before the script, or Node would hand them to it as arguments.
  expect(args.slice(0, args.indexOf('child.cjs'))).toEqual(BENCH_NODE_FLAGS);
  for (const peer of PEERS.filter((p) => p.kind === 'node')) {
    const want = peer.impl === 'gradlens' ? BENCH_NODE_FLAGS : [];
    expect(peer.nodeFlags ?? [], peer.id).toEqual(want);
  }
});
