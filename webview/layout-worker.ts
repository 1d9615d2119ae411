// The graph view's layout worker: the whole GraphView (ELK for small graphs, the fast layout
// for big ones, group expansion) runs here so the page stays responsive. Started from a Blob.
import ELK from 'elkjs/lib/elk.bundled.js';
import { GraphView, groupName, type ViewResult } from '../src/graph/index';
import type { FromWorker, GroupInfo, ToWorker } from './layout-messages';

declare const self: { onmessage: ((e: MessageEvent<ToWorker>) => void) | null; postMessage(m: FromWorker): void };

// ELK's bundle installs its own onmessage when it finds itself in a worker; ours replaces it below.
const elk = new ELK();
let view: GraphView | null = null;

function send(seq: number, r: ViewResult, extra: Partial<Extract<FromWorker, { type: 'result' }>> = {}): void {
  self.postMessage({ seq, type: 'result', parts: r.parts, engine: r.engine, ms: r.ms, boxes: r.layout.children?.length ?? 0, expanded: [...view!.expanded], ...extra });
}

async function handle(m: ToWorker): Promise<void> {
  const onProgress = (p: { phase: string; fraction: number }): void => self.postMessage({ seq: m.seq, type: 'progress', phase: p.phase, fraction: p.fraction });
  switch (m.op) {
    case 'open': {
      view = new GraphView(m.snapshot, { elk });
      const r = await view.open({ onProgress });
      const groups: GroupInfo[] = [...view.tree.groups.values()].map((g) => ({ id: g.id, name: groupName(g), parent: g.parent }));
      send(m.seq, r, { groups, groupOf: Object.fromEntries([...view.tree.groupOf].filter((e): e is [string, string] => e[1] !== null)) });
      return;
    }
    case 'expand':
      if (view === null) throw new Error('no graph opened');
      send(m.seq, view.expand(m.group, { onProgress }));
      return;
    case 'collapse':
      if (view === null) throw new Error('no graph opened');
      send(m.seq, await view.collapse(m.group, { onProgress }));
      return;
  }
}

self.onmessage = (e) => {
  handle(e.data).catch((err: unknown) => self.postMessage({ seq: e.data.seq, type: 'error', message: err instanceof Error ? err.message : String(err) }));
};
