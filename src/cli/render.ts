// Snapshot -> file contents for each --graph format, with ELK's synchronous bundled build.
import ELK from 'elkjs/lib/elk.bundled.js';
import { toDot } from '../graph/dot';
import { renderHtml } from '../graph/html';
import type { GraphDirection } from '../graph/direction';
import { drawSnapshot } from '../graph/view';
import type { GraphSnapshot } from '../protocol/messages';

export type GraphFormat = 'svg' | 'html' | 'dot' | 'json';

let elk: InstanceType<typeof ELK> | null = null;

export async function svgOf(
  snapshot: GraphSnapshot,
  direction: GraphDirection = 'leaves-top',
): Promise<string> {
  elk ??= new ELK();
  // ELK for small graphs, the fast layered layout for big ones (src/graph/layout.ts); module
  // groups framed as the graph view frames them.
  return drawSnapshot(snapshot, { elk, direction });
}

export async function renderGraph(
  snapshot: GraphSnapshot,
  format: GraphFormat,
  title: string,
  direction: GraphDirection = 'leaves-top',
): Promise<string> {
  switch (format) {
    case 'svg':
      return svgOf(snapshot, direction);
    case 'html':
      return renderHtml(snapshot, await svgOf(snapshot, direction), title);
    case 'dot':
      return toDot(snapshot);
    case 'json':
      return JSON.stringify(snapshot, null, 1) + '\n';
  }
}
