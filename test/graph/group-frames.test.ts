// Module groups as framed, collapsible clusters: ELK keeps each expanded group's boxes
// together, every one of them inside its group's frame and nothing else in it; a weight used
// at every step of an unrolled RNN is drawn once.
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { GraphView, groupFrames, type SvgItem } from '../../src/graph/index';
import { mlpSnapshot } from './mlp-snapshot';
import { rnnSnapshot } from './rnn-snapshot';

const frames = (view: GraphView): SvgItem[] =>
  view.current!.parts.items.filter(
    (it) => it.kind === 'frame' && it.markup.includes('<rect class="gl-frame"'),
  );
/** Node and group boxes (a proxy's item names the node it stands for, not where it belongs). */
const boxes = (view: GraphView): SvgItem[] =>
  view.current!.parts.items.filter((it) => it.kind === 'node');
const inside = (a: SvgItem, f: SvgItem): boolean =>
  a.x >= f.x && a.y >= f.y && a.x + a.w <= f.x + f.w && a.y + a.h <= f.y + f.h;
const meets = (a: SvgItem, f: SvgItem): boolean =>
  a.x < f.x + f.w && f.x < a.x + a.w && a.y < f.y + f.h && f.y < a.y + a.h;
const groupLabelled = (view: GraphView, label: string): string =>
  [...view.tree.groups.values()].find((g) => g.label === label)!.id;

/** Every box of a framed group inside the group's frame; no other box touches it. */
function expectClustersFramed(view: GraphView): void {
  for (const f of frames(view))
    for (const b of boxes(view)) {
      if (view.isInside(b.id, f.id))
        expect(inside(b, f), `${b.id} inside the frame of ${f.id}`).toBe(true);
      else expect(meets(b, f), `${b.id} clear of the frame of ${f.id}`).toBe(false);
    }
}

describe('module groups in a small graph', () => {
  it('keeps each module call together inside a labelled frame with a collapse chevron', async () => {
    const view = new GraphView(mlpSnapshot(), { elk: new ELK() });
    const r = await view.open();
    expect(r.engine).toBe('elk');
    const framed = frames(view).map((f) => view.tree.groups.get(f.id)!.label);
    expect(framed.sort()).toEqual(
      ['CrossEntropyLoss', 'Net', 'Net.dropout', 'Net.fc1', 'Net.fc2'].sort(),
    );
    expectClustersFramed(view);
    const header = r.parts.items.find(
      (it) =>
        it.kind === 'frame' &&
        it.id === groupLabelled(view, 'Net.fc1') &&
        it.markup.includes('gl-frame-toggle'),
    )!;
    expect(header.markup).toContain('class="gl-chevron"');
    expect(header.markup).toMatch(/<text class="gl-frame-label"[^>]*>fc1<\/text>/);
  });

  it('collapses a group into its box and shows its frame again when expanded', async () => {
    const view = new GraphView(mlpSnapshot(), { elk: new ELK() });
    await view.open();
    const fc1 = groupLabelled(view, 'Net.fc1');
    await view.collapse(fc1);
    expect(frames(view).map((f) => f.id)).not.toContain(fc1);
    expect(boxes(view).some((b) => b.id === fc1)).toBe(true);
    expectClustersFramed(view);
    view.expand(fc1);
    expect(frames(view).map((f) => f.id)).toContain(fc1);
    expectClustersFramed(view);
  });

  it('frames the steps of an unrolled loop and the module calls inside them', async () => {
    const view = new GraphView(rnnSnapshot(4), { elk: new ELK() });
    await view.open();
    const kinds = frames(view).map((f) => view.tree.groups.get(f.id)!.kind);
    expect(kinds.filter((k) => k === 'step')).toHaveLength(4);
    expect(kinds).toContain('repeat');
    expectClustersFramed(view);
  });
});

describe('group frames', () => {
  it('leaves out the frame of a group whose boxes are not together', () => {
    const box = (id: string, x: number, y: number) => ({ id, x, y, width: 40, height: 20 });
    const layout = {
      id: 'root',
      children: [box('a', 0, 40), box('b', 200, 40), box('c', 100, 40)],
    };
    const group = (id: string): string | null => (id === 'c' ? null : 'g');
    expect(groupFrames(layout, group, () => null)).toEqual([]);
    const apart = { ...layout, children: [...layout.children.slice(0, 2), box('c', 100, 200)] };
    expect(groupFrames(apart, group, () => null).map((f) => f.id)).toEqual(['g']);
  });
});

describe('a weight used at every step', () => {
  it('is drawn once, says how often it is used, and has one edge instead of a stub per step', async () => {
    const steps = 40;
    const view = new GraphView(rnnSnapshot(steps), { elk: null });
    const r = await view.open();
    const items = r.parts.items;
    expect(items.filter((it) => it.kind === 'proxy')).toEqual([]);
    const weight = r.snapshot.nodes.find((n) => n.kind === 'leaf' && n.name === 'cell.ih.weight')!;
    const acc = items.find((it) => it.kind === 'node' && it.id === weight.attachedTo)!;
    expect(acc.markup).toContain(`used ${String(steps)} times`);
    expect(
      items.filter((it) => it.kind === 'edge' && it.id.startsWith(`${acc.id}->`)),
    ).toHaveLength(1);
    const ports = items.filter((it) => it.markup.includes('input 0: cell.ih.weight (shared'));
    expect(ports).toHaveLength(steps);
  });
});
