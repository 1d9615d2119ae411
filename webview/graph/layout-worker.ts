// The graph view's layout workers: the whole GraphView (ELK for small graphs, the fast layout
// for big ones, group expansion) runs in one so the page stays responsive. Two bundles serve
// it (webview/build.mjs): layout-worker-elk.ts with ELK, and layout-worker-fast.ts without,
// which starts at once and lays out a window's first graph while ELK still loads.
import {
  chooseEngine,
  GraphView,
  groupName,
  toElkGraph,
  type ElkLike,
  type ViewResult,
} from '../../src/graph/index';
import type { GraphNode, GraphSnapshot } from '../../src/protocol/messages';
import { epochMs, type FromWorker, type Membership, type ToWorker } from './layout-messages';
import { readGzipJson } from '../../src/protocol/graph-view';

declare const self: {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(m: FromWorker): void;
};

let view: GraphView | null = null;
let elk: ElkLike | null = null;
let warmedUp: Promise<unknown> = Promise.resolve();

/**
 * Takes requests from the page, laying out with `withElk` (null: the fast layout only).
 * ELK's first layout pays for its own set-up and cold code: about 150 ms here, several times
 * that on a busy machine. The worker lays out a three-box graph as soon as it starts, while
 * the page waits for the run, tells the page it is warm, and takes requests once that is done.
 */
export function serveLayouts(withElk: ElkLike | null): void {
  elk = withElk;
  if (withElk !== null)
    warmedUp = withElk
      .layout(toElkGraph(warmUpSnapshot()))
      .catch(() => undefined)
      .then(() => {
        self.postMessage({ seq: 0, type: 'warm' });
      });
  self.onmessage = (e) => {
    handle(e.data).catch((err: unknown) =>
      self.postMessage({
        seq: e.data.seq,
        type: 'error',
        message: err instanceof Error ? err.message : String(err),
      }),
    );
  };
}

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

/** The page's copy of the group tree: each group with its name, and each grouped node's group. */
function membership(v: GraphView): Membership {
  return {
    groups: [...v.tree.groups.values()].map((g) => ({
      id: g.id,
      name: groupName(g),
      parent: g.parent,
    })),
    groupOf: Object.fromEntries(
      [...v.tree.groupOf].filter((e): e is [string, string] => e[1] !== null),
    ),
  };
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
      const laidAt = epochMs();
      const membershipJson = JSON.stringify(membership(view));
      // Counted from the page's post: a request that arrives while the worker still loads ELK
      // and warms it up waits in the worker's queue, where no handler can see it.
      const times = {
        startup: startedAt - m.postedAt,
        read: readAt - startedAt,
        layout: r.ms,
        answer: epochMs() - laidAt,
      };
      send(m.seq, view, r, {
        // Without ELK here, a graph ELK's policy would take gets the fast layout for now.
        provisional: elk === null && chooseEngine(r.layout, true) === 'elk',
        outputs: view.source.outputs,
        membership: membershipJson,
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
