// The graph's vertical direction. Layouts put the leaves on top, as torchviz draws them; for
// the root on top, as agtree2dot draws it, the finished layout is mirrored top to bottom:
// boxes, ports and edge routes, each container within its own height.
import type { ElkEdgeSection, ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk-api';

export type GraphDirection = 'leaves-top' | 'root-top';

export const GRAPH_DIRECTIONS: readonly GraphDirection[] = ['leaves-top', 'root-top'];

const flipPoint = (p: ElkPoint, height: number): ElkPoint => ({ x: p.x, y: height - p.y });

function flipSection(s: ElkEdgeSection, height: number): ElkEdgeSection {
  return {
    ...s,
    startPoint: flipPoint(s.startPoint, height),
    endPoint: flipPoint(s.endPoint, height),
    ...(s.bendPoints ? { bendPoints: s.bendPoints.map((b) => flipPoint(b, height)) } : {}),
  };
}

function flipEdge(e: ElkExtendedEdge, height: number): ElkExtendedEdge {
  return e.sections ? { ...e, sections: e.sections.map((s) => flipSection(s, height)) } : e;
}

/** `node`'s contents mirrored within its height (its own position is its parent's business). */
function flipInside(node: ElkNode): ElkNode {
  const height = node.height ?? 0;
  return {
    ...node,
    ...(node.ports
      ? {
          ports: node.ports.map((p) => ({
            ...p,
            y: height - (p.y ?? 0) - (p.height ?? 0),
          })),
        }
      : {}),
    ...(node.children
      ? {
          children: node.children.map((c) => ({
            ...flipInside(c),
            y: height - (c.y ?? 0) - (c.height ?? 0),
          })),
        }
      : {}),
    ...(node.edges ? { edges: node.edges.map((e) => flipEdge(e, height)) } : {}),
  };
}

/** A finished layout in `direction` (layouts come out leaves-top). */
export function orient(layout: ElkNode, direction: GraphDirection): ElkNode {
  return direction === 'root-top' ? flipInside(layout) : layout;
}
