// Snapshot -> Graphviz DOT in torchviz's style, so `dot -Tsvg` draws the familiar picture.
import type { GraphSnapshot } from '../protocol/messages';
import { snapshotIndex } from './elk';
import { graphEdges } from './edges';
import { FLAG_COLOR, isFlagged, nodeFill, nodeLines } from './labels';

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
  for (const n of snapshot.nodes) {
    const attrs = [`label=${quote(nodeLines(n).join('\n'))}`, `fillcolor=${quote(nodeFill(n))}`];
    if (n.kind === 'function' || n.kind === 'accumulate') attrs.push('style="filled,rounded"');
    if (isFlagged(n)) attrs.push(`color=${quote(FLAG_COLOR)}`, 'penwidth=2.5');
    if (outputs.has(n.id)) attrs.push('peripheries=2');
    out.push(`  ${quote(n.id)} [${attrs.join(', ')}];`);
  }
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
