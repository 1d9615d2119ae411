// The edges of a snapshot, derived from each node's `next` list (the single source of
// truth) and from tensors' `attachedTo`. Edges run the way data flows in the forward pass,
// from an input's node to the node that consumed it, as torchviz draws them.
import type { GraphNode, GraphSnapshot } from '../protocol/messages';

export interface GraphEdge {
  id: string;
  /** The node whose output was consumed (the `next` entry's node). */
  source: string;
  /** The consuming node. */
  target: string;
  /** Position in the target's `nextFunctions`: the numbered input port it enters. -1 for tensor attachments. */
  port: number;
  /** PyTorch's input_nr of the `nextFunctions` pair. */
  inputNr: number;
  kind: 'next' | 'variable' | 'output' | 'saved';
}

export function graphEdges(snapshot: GraphSnapshot): GraphEdge[] {
  const edges: GraphEdge[] = [];
  for (const n of snapshot.nodes) {
    n.next.forEach((e, slot) => {
      if (e !== null)
        edges.push({
          id: `${e.id}->${n.id}#${slot}`,
          source: e.id,
          target: n.id,
          port: slot,
          inputNr: e.inputNr,
          kind: 'next',
        });
    });
    if (n.attachedTo !== null) edges.push(attachment(n, n.attachedTo));
  }
  return edges;
}

function attachment(n: GraphNode, owner: string): GraphEdge {
  switch (n.kind) {
    case 'output':
      return {
        id: `${owner}->${n.id}`,
        source: owner,
        target: n.id,
        port: -1,
        inputNr: 0,
        kind: 'output',
      };
    case 'leaf':
      return {
        id: `${n.id}->${owner}`,
        source: n.id,
        target: owner,
        port: -1,
        inputNr: 0,
        kind: 'variable',
      };
    case 'saved':
      return {
        id: `${n.id}->${owner}`,
        source: n.id,
        target: owner,
        port: -1,
        inputNr: 0,
        kind: 'saved',
      };
    case 'function':
    case 'accumulate':
      throw new Error(`node ${n.id} (${n.kind}) cannot be attached to another node`);
  }
}
