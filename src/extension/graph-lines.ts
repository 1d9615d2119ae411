// From the editor to the graph (Reveal in Graph, the reverse of click-to-source): which nodes of
// the graph shown a source line created, and which files the graph has nodes from. No `vscode`.
import type { RestoredGraph } from '../protocol/graph-view';
import type { GraphNode } from '../protocol/messages';
import { samePath } from '../protocol/paths';

/** What Reveal in Graph reads of a graph: a snapshot, or what a reloaded page restored. */
export interface LocatedNodes {
  readonly nodes: readonly Pick<GraphNode, 'id' | 'kind' | 'location'>[];
}

/** The nodes of a restored graph (see RestoredGraph) in the shape of a snapshot's. */
export function restoredNodes(r: RestoredGraph): LocatedNodes {
  return {
    nodes: r.nodes.map((n) => ({
      id: n.id,
      kind: 'function',
      location: { file: n.file, line: n.line, column: 1 },
    })),
  };
}

/**
 * The ids of the graph's nodes created on `line` (1-based) of `file`. Saved tensors are
 * left out: they are drawn with the node that saved them.
 *
 * @example
 * nodesAtLine(snapshot, '/ws/a.ts', 7) // ['n3', 'n4']
 */
export function nodesAtLine(snapshot: LocatedNodes, file: string, line: number): string[] {
  return snapshot.nodes
    .filter(
      (n) =>
        n.kind !== 'saved' &&
        n.location !== null &&
        n.location.line === line &&
        samePath(n.location.file, file),
    )
    .map((n) => n.id);
}

/** The script and every file the graph has a node from, each once. */
export function graphFiles(script: string, snapshot: LocatedNodes): string[] {
  const files = new Set([script]);
  for (const n of snapshot.nodes) if (n.location !== null) files.add(n.location.file);
  return [...files];
}

/** A Markdown link (for a hover) that runs Reveal in Graph on `line` of `file`. */
export function revealLink(file: string, line: number): string {
  const args = encodeURIComponent(JSON.stringify([file, line]));
  return `[Reveal in graph](command:gradlens.revealInGraph?${args} "Select the nodes this line created in the graph view")`;
}
