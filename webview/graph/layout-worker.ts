// The graph view's layout worker: the whole GraphView (ELK for small graphs, the fast layout
// for big ones, group expansion) runs here so the page stays responsive. Started from a Blob.
import ELK from 'elkjs/lib/elk.bundled.js';
import { GraphView, groupName, toElkGraph, type ViewResult } from '../../src/graph/index';
import type { GraphNode, GraphSnapshot } from '../../src/protocol/messages';
import { epochMs, type FromWorker, type GroupInfo, type ToWorker } from './layout-messages';
import { readGzipJson } from '../../src/protocol/graph-view';

declare const self: {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(m: FromWorker): void;
};

// ELK's bundle installs its own onmessage when it finds itself in a worker; ours replaces it below.
const elk = new ELK();
let view: GraphView | null = null;

/**
 * ELK's first layout pays for its own set-up and cold code: about 150 ms here, several times
 * that on a busy machine. The worker lays out a three-box graph as soon as it starts, while
 * the page waits for the run, and takes requests once that is done.
 */
const warmedUp: Promise<unknown> = elk.layout(toElkGraph(warmUpSnapshot())).catch(() => undefined);

function warmUpSnapshot(): GraphSnapshot {
  const node = (
    id: string,
    kind: GraphNode['kind'],
    name: string,
    next: GraphNode['next'],
    attachedTo: string | null = null,
  ): GraphNode => ({
    id,
    kind,
    name,
    next,
    value: null,
    grad: null,
    location: null,
    modulePath: [],
    attachedTo,
    sequenceNr: 0,
  });
  return {
    index: 1,
    trigger: 'backward',
    outputs: ['f'],
    anomalies: [],
    collapsed: false,
    detail: 'full',
    nodes: [
      node('f', 'function', 'SumBackward0', [{ id: 'a', inputNr: 0 }]),
      node('a', 'accumulate', 'AccumulateGrad', []),
      node('x', 'leaf', 'x', [], 'a'),
    ],
  };
}

function send(
  seq: number,
  v: GraphView,
  r: ViewResult,
  extra: Partial<Extract<FromWorker, { type: 'result' }>> = {},
): void {
  self.postMessage({
    seq,
    type: 'result',
    parts: r.parts,
    engine: r.engine,
    ms: r.ms,
    boxes: r.layout.children?.length ?? 0,
    expanded: [...v.expanded],
    ...extra,
  });
}

async function handle(m: ToWorker): Promise<void> {
  await warmedUp;
  const startedAt = epochMs();
  const onProgress = (p: { phase: string; fraction: number }): void =>
    self.postMessage({ seq: m.seq, type: 'progress', phase: p.phase, fraction: p.fraction });
  switch (m.op) {
    case 'open': {
      view = new GraphView((await readGzipJson(m.snapshotGzip)) as GraphSnapshot, {
        elk,
        header: m.header,
        direction: m.direction,
      });
      const readAt = epochMs();
      const r = await view.open({ onProgress });
      const groups: GroupInfo[] = [...view.tree.groups.values()].map((g) => ({
        id: g.id,
        name: groupName(g),
        parent: g.parent,
      }));
      // Counted from the page's post: a request that arrives while the worker still loads ELK
      // and warms it up waits in the worker's queue, where no handler can see it.
      const times = { startup: startedAt - m.postedAt, read: readAt - startedAt, layout: r.ms };
      send(m.seq, view, r, {
        groups,
        groupOf: Object.fromEntries(
          [...view.tree.groupOf].filter((e): e is [string, string] => e[1] !== null),
        ),
        times,
      });
      return;
    }
    case 'expand':
      if (view === null) throw new Error('no graph opened');
      send(m.seq, view, view.expand(m.group, { onProgress }));
      return;
    case 'collapse':
      if (view === null) throw new Error('no graph opened');
      send(m.seq, view, await view.collapse(m.group, { onProgress }));
      return;
  }
}

self.onmessage = (e) => {
  handle(e.data).catch((err: unknown) =>
    self.postMessage({
      seq: e.data.seq,
      type: 'error',
      message: err instanceof Error ? err.message : String(err),
    }),
  );
};
