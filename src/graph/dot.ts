// Snapshot -> Graphviz DOT in torchviz's style, so `dot -Tsvg` draws the familiar picture.
import type { GraphSnapshot } from '../protocol/messages';
import { snapshotIndex } from './elk';
import { graphEdges } from './edges';
import { frameLabelOf, framedGroup, groupTree, isGroupId, type GroupTree } from './groups';
import { FLAG_COLOR, isFlagged, nodeFill, nodeLines } from './labels';
import { GROUP_FILL } from './svg';

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * @example
 * writeFileSync('graph.dot', toDot(snapshot)); // dot -Tsvg graph.dot > graph.svg
 */
export function toDot(snapshot: GraphSnapshot): string {
  const out = [
    'digraph gradlens {',
    '  graph [rankdir=TB, fontname="monospace", fontsize=12];',
    '  node [shape=box, style="filled", fontname="monospace", fontsize=11, height=0.2];',
    '  edge [fontname="monospace", fontsize=9];',
  ];
  const outputs = new Set(snapshot.outputs);
  const byId = snapshotIndex(snapshot).byId;
  const nodeLine = new Map<string, string>();
  for (const n of snapshot.nodes) {
    // A collapsed group's box: dashed and lilac, as the graph view draws it.
    const box = isGroupId(n.id);
    const attrs = [
      `label=${quote(nodeLines(n).join('\n'))}`,
      `fillcolor=${quote(box ? GROUP_FILL : nodeFill(n))}`,
    ];
    if (box) attrs.push('style="filled,rounded,dashed"');
    else if (n.kind === 'function' || n.kind === 'accumulate') attrs.push('style="filled,rounded"');
    if (isFlagged(n)) attrs.push(`color=${quote(FLAG_COLOR)}`, 'penwidth=2.5');
    if (outputs.has(n.id)) attrs.push('peripheries=2');
    nodeLine.set(n.id, `${quote(n.id)} [${attrs.join(', ')}];`);
  }
  out.push(...framedNodes(snapshot, groupTree(snapshot), nodeLine));
  for (const e of graphEdges(snapshot)) {
    const attrs: string[] = [];
    if (e.kind === 'next') {
      const node = byId.get(e.target);
      if (node !== undefined && node.next.length > 1)
        attrs.push(`headlabel=${quote(String(e.port))}`);
    }
    if (e.kind === 'saved') attrs.push('style=dashed');
    out.push(
      `  ${quote(e.source)} -> ${quote(e.target)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`,
    );
  }
  if (snapshot.collapsed)
    out.push(`  label=${quote('collapsed by module: the graph was over the size limit')};`);
  out.push('}');
  return out.join('\n') + '\n';
}

/**
 * The node statements, those inside module calls and repeats in one cluster per group (the
 * frames of the graph view), nested as the groups are.
 */
function framedNodes(
  snapshot: GraphSnapshot,
  tree: GroupTree,
  nodeLine: ReadonlyMap<string, string>,
): string[] {
  const nodesIn = new Map<string | null, string[]>();
  const framesIn = new Map<string | null, Set<string>>();
  for (const n of snapshot.nodes) {
    const frame = framedGroup(tree, tree.groupOf.get(n.id) ?? null);
    nodesIn.set(frame, [...(nodesIn.get(frame) ?? []), n.id]);
    // The frames around it, each within its own framed parent.
    for (let f = frame; f !== null;) {
      const parent = framedGroup(tree, tree.groups.get(f)?.parent ?? null);
      let within = framesIn.get(parent);
      if (within === undefined) framesIn.set(parent, (within = new Set()));
      if (within.has(f)) break;
      within.add(f);
      f = parent;
    }
  }
  const emit = (frame: string | null, indent: string): string[] => [
    ...(nodesIn.get(frame) ?? []).map((id) => `${indent}${nodeLine.get(id) ?? ''}`),
    ...[...(framesIn.get(frame) ?? [])].flatMap((f) => {
      const g = tree.groups.get(f);
      const label = g === undefined ? f : frameLabelOf(g, tree);
      return [
        `${indent}subgraph ${quote(`cluster_${f}`)} {`,
        `${indent}  label=${quote(label)}; style="rounded,filled"; fillcolor=${quote(FRAME_FILL)}; color="#8878b8";`,
        ...emit(f, `${indent}  `),
        `${indent}}`,
      ];
    }),
  ];
  return emit(null, '  ');
}

/** The frames' fill: GROUP_FILL at the graph view's opacity, over white. */
const FRAME_FILL = '#f6f3fd';
