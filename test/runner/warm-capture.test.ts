// The capture path warmed while a runner waits (src/runner/warm-capture.ts) leaves nothing a
// script could see: node numbering goes on where it was, the random stream is untouched, no
// node-created hook stays, and a run that begins meanwhile stops it before its next graph.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { warmCapture } from '../../src/runner/warm-capture';

/** A node made now: its sequence number, and whether a node-created hook saw it. */
function nextNode(): { seq: number; hooked: boolean } {
  const x = torch.tensor([1, 2], { requiresGrad: true });
  const node = x.mul(2).gradFn!;
  // A hook left in place would have written the node's metadata.
  return { seq: node.sequenceNr, hooked: Object.keys(node.metadata).length > 0 };
}

describe('warmCapture', () => {
  it('numbers the next node as if it had not run, and leaves no hook', async () => {
    const before = nextNode();
    await warmCapture(() => false);
    const after = nextNode();
    expect(after.seq).toBe(before.seq + 1);
    expect(after.hooked).toBe(false);
  });

  it('draws nothing from the random stream', async () => {
    torch.manualSeed(3);
    const plain = torch.randn([4]).tolist();
    torch.manualSeed(3);
    await warmCapture(() => false);
    expect(torch.randn([4]).tolist()).toEqual(plain);
  });

  it('captures no more graphs once a run has begun', async () => {
    let asked = 0;
    const seq = torch._nextSequenceNumber();
    await warmCapture(() => ++asked > 1);
    // Asked before each graph: once to capture the first, once more to stop.
    expect(asked).toBe(2);
    expect(torch._nextSequenceNumber()).toBe(seq);
  });
});
