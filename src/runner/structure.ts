// A cheap fingerprint of a graph's structure, taken at every backward(): when it changes (a
// new model, a new phase of the script), the next backward is captured in full again.
import * as torch from '../engine/index';
import type { Tensor } from '../engine/index';

type Node = torch.autograd.Node;

/** The node a backward from `t` starts at, or null when `t` has no history and needs no grad. */
export function rootNode(t: Tensor): Node | null {
  if (t.gradFn !== null) return t.gradFn;
  return t.requiresGrad ? t._accumulateGrad() : null;
}

/** A hash of the graph's node names in walk order, and its leaves; no allocation per node beyond the walk. */
export function structure(
  roots: Tensor[],
  interned: Map<string, number>,
): { sig: number; leaves: Tensor[] } {
  const seen = new Set<Node>();
  const queue: Node[] = [];
  const leaves: Tensor[] = [];
  for (const r of roots) {
    const n = rootNode(r);
    if (n !== null && !seen.has(n)) {
      seen.add(n);
      queue.push(n);
    }
  }
  let sig = 17;
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i];
    const name = n.name();
    let code = interned.get(name);
    if (code === undefined) interned.set(name, (code = interned.size + 1));
    sig = (Math.imul(sig, 31) + code) | 0;
    if (n instanceof torch.autograd.AccumulateGrad) leaves.push(n.variable);
    // `_edge`, not `nextFunctions`: this walk runs every step and must not allocate pairs.
    for (let e = 0, count = n._edgeCount; e < count; e++) {
      const m = n._edge(e);
      if (m !== null && !seen.has(m)) {
        seen.add(m);
        queue.push(m);
      }
    }
  }
  return { sig: (Math.imul(sig, 31) + queue.length) | 0, leaves };
}
