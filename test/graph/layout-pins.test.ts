// Pins the exact output of the layouts, the group tree and the stable expand/collapse on a few
// graphs, so that a change meant to keep behaviour (a refactor) is proven to keep it. A change
// meant to move things updates these digests in the same commit, after looking at the picture.
import { createHash } from 'node:crypto';
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import {
  GraphView,
  fastLayout,
  groupTree,
  joinSvg,
  limitSnapshot,
  removeExpanded,
  toElkGraph,
  viewSnapshot,
} from '../../src/graph/index';
import type { GraphSnapshot } from '../../src/protocol/messages';
import { rnnSnapshot } from './rnn-snapshot';

const digest = (x: unknown): string =>
  createHash('sha256')
    .update(JSON.stringify(x, (_, v: unknown) => (v instanceof Map ? [...v] : v)))
    .digest('hex')
    .slice(0, 16);

/** The id of the shown group whose box name starts with `prefix`. */
function shown(view: GraphView, prefix: string): string {
  const n = view.current!.snapshot.nodes.find((m) => m.name.startsWith(prefix));
  if (n === undefined) throw new Error(`no box named ${prefix}…`);
  return n.id;
}

async function expandCollapseSequence(snapshot: GraphSnapshot): Promise<string[]> {
  const view = new GraphView(snapshot, { elk: new ELK(), flatMaxNodes: 0 });
  const out = [digest((await view.open()).layout)];
  if (view.current!.snapshot.nodes.some((n) => n.name.startsWith('SeqModel.cell, SeqModel.head')))
    view.expand(shown(view, 'SeqModel.cell, SeqModel.head'));
  for (const step of ['step #7 ', 'step #3 ', 'step #12 ']) view.expand(shown(view, step));
  out.push(digest(view.current!.layout), digest(joinSvg(view.current!.parts)));
  // Not the last step: the stable removal, not the history, folds these.
  for (const step of ['step #3 ', 'step #12 ', 'step #7 ']) {
    const g = [...view.expanded].find(
      (id) => view.tree.groups.get(id)!.label === `#${step.slice(6, -1)}`,
    )!;
    const r = await view.collapse(g);
    out.push(`${r.engine}:${digest(r.layout)}`);
  }
  return out;
}

describe('layout pins', () => {
  it('fast layout of the unrolled RNN', () => {
    expect([3, 40, 300].map((n) => digest(fastLayout(toElkGraph(rnnSnapshot(n)))))).toEqual([
      '7c48e3901d949772',
      'f924e96a8c0668ce',
      'f29b44aba08cfa4f',
    ]);
  });

  it('group tree and the CLI-limited snapshot', () => {
    const tree = groupTree(rnnSnapshot(60));
    expect([digest(tree), digest(limitSnapshot(rnnSnapshot(300), 400))]).toEqual([
      'd34c5d751b6cdab6',
      'd0ca9d9df43f7c22',
    ]);
  });

  it('expand and collapse in place on a collapsed RNN', async () => {
    expect(await expandCollapseSequence(rnnSnapshot(40))).toEqual([
      '8ad04ea209780530',
      '74d77b29fe4b4997',
      '668ce8896d7ec691',
      'incremental:66927d39e7abd71d',
      'incremental:36a9f100e4da442f',
      'incremental:9df0b848bcc16d2b',
    ]);
  });

  it('collapse in place in a small graph laid out by ELK', async () => {
    const view = new GraphView(rnnSnapshot(4), { elk: new ELK() });
    const opened = await view.open();
    const out: string[] = [];
    for (const g of [...view.expanded]) {
      const inside = (id: string): boolean => view.isInside(id, g);
      const rest = new Set([...view.expanded].filter((e) => e !== g && !inside(e)));
      const graph = toElkGraph(viewSnapshot(view.source, view.tree, rest));
      const r = removeExpanded(opened.layout, graph, g, inside);
      out.push(r === null ? 'null' : digest(r));
    }
    expect(digest(out)).toBe('b274c954580c8cd3');
  });
});
