// Collapsing a group in place, the inverse of the stable expansion: straight after an expand
// the previous picture comes back exactly; a group expanded several steps ago leaves its box
// where it was and the rest closes the gap as rigid blocks (left in its band, up below it);
// nested groups go with it; small graphs laid out flat by ELK collapse without a new layout.
// Timing is measured by bench/graph-layout.ts, not here.
import type { ElkNode } from 'elkjs/lib/elk-api';
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { PORT_SIZE } from '../../src/graph/elk';
import {
  GraphView,
  boxShape,
  groupRegion,
  joinSvg,
  overlaps,
  removeExpanded,
  toElkGraph,
  type ViewResult,
} from '../../src/graph/index';
import { portNode } from '../../src/graph/placement';
import { rnnSnapshot } from './rnn-snapshot';

const elk = new ELK();
const rnn = rnnSnapshot(800);

type Pos = { x: number; y: number; w: number; h: number };
const positions = (layout: ElkNode): Map<string, Pos> =>
  new Map(
    (layout.children ?? []).map((c) => [c.id, { x: c.x!, y: c.y!, w: c.width!, h: c.height! }]),
  );

const rounded = (layout: ElkNode): Map<string, Pos> =>
  new Map(
    [...positions(layout)].map(([id, p]) => [
      id,
      { x: Number(p.x.toFixed(6)), y: Number(p.y.toFixed(6)), w: p.w, h: p.h },
    ]),
  );

/** Every edge ends on its target's port and leaves its source's bottom; routes are orthogonal. */
function expectEdgesAttached(layout: ElkNode): void {
  const byId = new Map((layout.children ?? []).map((c) => [c.id, c]));
  expect(layout.edges!.length).toBeGreaterThan(0);
  for (const e of layout.edges!) {
    const s = byId.get(portNode(e.sources[0]))!;
    const t = byId.get(portNode(e.targets[0]))!;
    expect(s, `${e.id}: source`).toBeDefined();
    expect(t, `${e.id}: target`).toBeDefined();
    const port = t.ports!.find((p) => p.id === e.targets[0])!;
    const sec = e.sections![0];
    expect(sec, `${e.id}: route`).toBeDefined();
    expect(sec.endPoint.x, `${e.id}: end x`).toBeCloseTo(t.x! + port.x! + PORT_SIZE / 2, 6);
    expect(sec.endPoint.y, `${e.id}: end y`).toBeCloseTo(t.y! + port.y!, 6);
    expect(sec.startPoint.x, `${e.id}: start x`).toBeGreaterThanOrEqual(s.x!);
    expect(sec.startPoint.x, `${e.id}: start x`).toBeLessThanOrEqual(s.x! + s.width!);
    expect(Math.abs(sec.startPoint.y - (s.y! + s.height!)), `${e.id}: start y`).toBeLessThanOrEqual(
      PORT_SIZE,
    );
    const pts = [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint];
    // (ELK's own routes are orthogonal up to float rounding.)
    for (let i = 1; i < pts.length; i++)
      expect(
        Math.min(Math.abs(pts[i].x - pts[i - 1].x), Math.abs(pts[i].y - pts[i - 1].y)),
        `${e.id}: orthogonal`,
      ).toBeLessThan(1e-6);
  }
}

/**
 * `after` is `before` with `group` collapsed in place: nothing overlaps, edges are attached,
 * what was above or left of the group's contents did not move, what was right of them in
 * their band moved left as one block, what was below moved up as one block. Returns the two
 * moves and the group's region in `before`.
 */
function expectStableCollapse(
  view: GraphView,
  before: ViewResult,
  after: ViewResult,
  group: string,
): { left: number; up: number; region: Pos } {
  expect(after.engine).toBe('incremental');
  expect(overlaps(after.layout.children!)).toBe(false);
  expectEdgesAttached(after.layout);
  const was = positions(before.layout);
  const now = positions(after.layout);
  expect(now.has(group)).toBe(true);
  for (const id of now.keys())
    expect(view.isInside(id, group), `${id} is inside the collapsed group`).toBe(false);
  const { region } = groupRegion(before.layout, (id) => view.isInside(id, group))!;
  const lefts = new Set<number>();
  const ups = new Set<number>();
  for (const [id, p] of was) {
    const q = now.get(id);
    if (q === undefined) continue;
    if (p.y >= region.y + region.h) {
      expect(q.x, `${id} below moved sideways`).toBe(p.x);
      ups.add(p.y - q.y);
    } else if (p.y + p.h > region.y && p.x >= region.x + region.w) {
      expect(q.y, `${id} right moved vertically`).toBe(p.y);
      lefts.add(p.x - q.x);
    } else {
      expect([q.x, q.y], `${id} above or left of the group moved`).toEqual([p.x, p.y]);
    }
  }
  expect(lefts.size, `band moves ${[...lefts].join(', ')}`).toBeLessThanOrEqual(1);
  expect(ups.size, `moves below ${[...ups].join(', ')}`).toBeLessThanOrEqual(1);
  return { left: [...lefts][0] ?? 0, up: [...ups][0] ?? 0, region };
}

/**
 * Data still flows down through the box where there is room for it between what feeds it and
 * what it feeds (an input that now comes from a node drawn below the consumers cannot).
 */
function expectFlowingDown(layout: ElkNode, box: string): void {
  const at = positions(layout);
  const b = at.get(box)!;
  let lo = -Infinity;
  let hi = Infinity;
  for (const e of layout.edges!) {
    const s = at.get(portNode(e.sources[0]))!;
    const t = at.get(portNode(e.targets[0]))!;
    if (t === b) lo = Math.max(lo, s.y + s.h);
    if (s === b) hi = Math.min(hi, t.y);
  }
  if (hi - lo < b.h + 2 * PORT_SIZE) return;
  expect(b.y, `${box} above one of its inputs`).toBeGreaterThanOrEqual(lo);
  expect(b.y + b.h, `${box} below one of its consumers`).toBeLessThanOrEqual(hi);
}

function groupNamed(view: GraphView, prefix: string, within?: string): string {
  const n = view.current!.snapshot.nodes.find(
    (x) =>
      x.id.startsWith('group:') &&
      x.name.startsWith(prefix) &&
      (within === undefined || view.isInside(x.id, within)),
  );
  if (n === undefined) throw new Error(`no box named ${prefix}… on screen`);
  return n.id;
}

async function openRnn(): Promise<GraphView> {
  const view = new GraphView(rnn, { elk });
  await view.open();
  view.expand(groupNamed(view, 'SeqModel.cell, SeqModel.head'));
  return view;
}

describe('collapse right after expand', () => {
  it('brings back the previous picture exactly, step by step (a repeat, a step, a call in it)', async () => {
    const view = new GraphView(rnn, { elk });
    const pictures: ViewResult[] = [await view.open()];
    const opened: string[] = [];
    for (const pick of [
      () => groupNamed(view, 'SeqModel.cell, SeqModel.head'),
      () => groupNamed(view, 'step #400 '),
      () => groupNamed(view, 'SeqModel.cell (', opened[1]),
    ]) {
      const g = pick();
      opened.push(g);
      pictures.push(view.expand(g));
      expect(pictures[pictures.length - 1].engine).toBe('incremental');
    }
    for (let i = opened.length - 1; i >= 0; i--) {
      const r = await view.collapse(opened[i]);
      expect(r.engine).toBe('restored');
      expect(r.layout).toEqual(pictures[i].layout);
      expect(joinSvg(r.parts)).toBe(joinSvg(pictures[i].parts));
      expect(view.expanded.has(opened[i])).toBe(false);
    }
    // Expanding again right after a collapse is its inverse too.
    const g = opened[0];
    const collapsed = view.current!;
    expect(view.expand(g).layout).toEqual(pictures[1].layout);
    expect((await view.collapse(g)).layout).toEqual(collapsed.layout);
  });

  it('collapsing an outer group whose inner groups were expanded since goes back to before the outer expand', async () => {
    const view = await openRnn();
    const before = view.current!;
    const step = groupNamed(view, 'step #7 ');
    view.expand(step);
    view.expand(groupNamed(view, 'SeqModel.cell (', step));
    view.expand(groupNamed(view, 'SeqModel.head (', step));
    const r = await view.collapse(step);
    expect(r.engine).toBe('restored');
    expect(r.layout).toEqual(before.layout);
    expect([...view.expanded].some((g) => view.isInside(g, step))).toBe(false);
  });

  it('without the history, the removal alone inverts the insertion', async () => {
    const view = await openRnn();
    for (const name of ['step #400 ', 'step #1 ', 'step #800 ']) {
      const before = view.current!;
      const g = groupNamed(view, name);
      const after = view.expand(g);
      const inside = (id: string): boolean => view.isInside(id, g);
      const removed = removeExpanded(after.layout, toElkGraph(before.snapshot), g, inside, {
        shape: boxShape(before.layout, after.layout, g, inside)!,
      })!;
      expect(removed).not.toBeNull();
      // (The box's place is kept relative to the group's region: equal up to float rounding.)
      expect(rounded(removed.layout)).toEqual(rounded(before.layout));
      expect(overlaps(removed.layout.children!)).toBe(false);
      expectEdgesAttached(removed.layout);
      await view.collapse(g);
    }
  });
});

describe('collapse of a group expanded several steps ago', () => {
  it('puts its box where the group was; the band closes left, what is below closes up by what the expand pushed it', async () => {
    const view = await openRnn();
    const step = groupNamed(view, 'step #400 ');
    const beforeExpand = view.current!;
    const expanded = view.expand(step);
    const pushed =
      positions(expanded.layout).get('out')!.y - positions(beforeExpand.layout).get('out')!.y;
    expect(pushed).toBeGreaterThan(0);
    // Others since: one above it, one below it, one of its neighbours.
    view.expand(groupNamed(view, 'step #10 '));
    view.expand(groupNamed(view, 'step #600 '));
    view.expand(groupNamed(view, 'step #401 '));
    const before = view.current!;
    const r = await view.collapse(step);
    const { up } = expectStableCollapse(view, before, r, step);
    expect(up).toBe(pushed);
    // The box where it stood, carried along with the group's contents by the expands since.
    const first = expanded.layout.children!.find((c) => view.isInside(c.id, step))!.id;
    const carried = {
      x: positions(before.layout).get(first)!.x - positions(expanded.layout).get(first)!.x,
      y: positions(before.layout).get(first)!.y - positions(expanded.layout).get(first)!.y,
    };
    const box = positions(beforeExpand.layout).get(step)!;
    expect(positions(r.layout).get(step)).toEqual({
      ...box,
      x: box.x + carried.x,
      y: box.y + carried.y,
    });
    // And expanding it again right away is an undo.
    expect(view.expand(step).layout).toEqual(before.layout);
  });

  it('collapses a group holding expanded groups (nested) in place, and they go with it', async () => {
    const view = await openRnn();
    const step = groupNamed(view, 'step #300 ');
    view.expand(step);
    const cell = groupNamed(view, 'SeqModel.cell (', step);
    view.expand(cell);
    view.expand(groupNamed(view, 'SeqModel.cell.ih (', cell));
    view.expand(groupNamed(view, 'step #299 '));
    const before = view.current!;
    const r = await view.collapse(step);
    expectStableCollapse(view, before, r, step);
    expect(view.expanded.has(cell)).toBe(false);
    expect(r.snapshot.nodes.length).toBeLessThan(before.snapshot.nodes.length);
    // Expanding it right away is an undo: the groups inside come back open, as they were.
    expect(view.expand(step).layout).toEqual(before.layout);
    expect(view.expanded.has(cell)).toBe(true);
  });

  it('collapses the big repeat, opened with the graph, after some of its steps were opened', async () => {
    // A budget that opens the repeat's 800 steps at once: its expansion is not in the history.
    const view = new GraphView(rnn, { elk, openBudget: 2000 });
    await view.open();
    const repeat = [...view.expanded].find((g) => view.tree.groups.get(g)!.kind === 'repeat')!;
    expect(repeat).toBeDefined();
    const s2 = groupNamed(view, 'step #2 ');
    view.expand(s2);
    view.expand(groupNamed(view, 'SeqModel.cell (', s2));
    view.expand(groupNamed(view, 'step #500 '));
    const before = view.current!;
    expect(before.snapshot.nodes.length).toBeGreaterThan(800);
    const r = await view.collapse(repeat);
    expectStableCollapse(view, before, r, repeat);
    expect(r.snapshot.nodes.length).toBeLessThan(50);
    expect([...view.expanded].some((g) => view.isInside(g, repeat))).toBe(false);
  });
});

describe('collapse in a small graph laid out flat by ELK', () => {
  it('folds each module call in place (no new layout) and unfolds it back to the ELK picture', async () => {
    const view = new GraphView(rnnSnapshot(4), { elk });
    const opened = await view.open();
    expect(opened.engine).toBe('elk');
    const groups = [...view.expanded];
    expect(groups.length).toBeGreaterThan(10);
    for (const g of groups) {
      const r = await view.collapse(g);
      expectStableCollapse(view, opened, r, g);
      expectFlowingDown(r.layout, g);
      const back = view.expand(g);
      expect(back.engine).toBe('restored');
      expect(back.layout).toEqual(opened.layout);
    }
  });

  it('collapses two groups one after the other, each in place', async () => {
    const view = new GraphView(rnnSnapshot(6), { elk });
    await view.open();
    const heads = [...view.expanded].filter(
      (g) => view.tree.groups.get(g)!.label === 'SeqModel.head',
    );
    expect(heads.length).toBe(6);
    for (const g of [heads[1], heads[4], heads[2]]) {
      const before = view.current!;
      expectStableCollapse(view, before, await view.collapse(g), g);
    }
  });
});

describe('when the box finds no room', () => {
  it('the removal gives up (the view then lays out afresh): a one-node group at the top whose box needs a proxy above it', () => {
    const port = (
      id: string,
      side: string,
    ): { id: string; width: number; height: number; layoutOptions: Record<string, string> } => ({
      id,
      width: PORT_SIZE,
      height: PORT_SIZE,
      layoutOptions: { 'elk.port.side': side },
    });
    const prev: ElkNode = {
      id: 'root',
      width: 200,
      height: 44,
      children: [
        { id: 'a', x: 10, y: 8, width: 60, height: 28, ports: [] },
        { id: 's', x: 100, y: 8, width: 60, height: 28, ports: [port('s:out', 'SOUTH')] },
      ],
      edges: [],
    };
    const proxy = 's~proxy~s->g#0';
    const graph: ElkNode = {
      id: 'root',
      children: [
        { id: 'g', width: 100, height: 28, ports: [port('g:in0', 'NORTH')] },
        { id: 's', width: 60, height: 28, ports: [port('s:out', 'SOUTH')] },
        { id: proxy, width: 60, height: 28, ports: [port(`${proxy}:out`, 'SOUTH')] },
      ],
      edges: [{ id: 's->g#0', sources: [`${proxy}:out`], targets: ['g:in0'] }],
    };
    expect(removeExpanded(prev, graph, 'g', (id) => id === 'a')).toBeNull();
    // With room above, the same removal works: the proxy right above the box, the box where `a` was.
    const lower = { ...prev, children: prev.children!.map((c) => ({ ...c, y: c.y! + 100 })) };
    const r = removeExpanded(lower, graph, 'g', (id) => id === 'a')!;
    expect(r).not.toBeNull();
    const at = positions(r.layout);
    expect(at.get('g')!.x).toBe(10);
    expect(at.get(proxy)!.y + at.get(proxy)!.h).toBeLessThan(at.get('g')!.y);
    expect(overlaps(r.layout.children!)).toBe(false);
  });
});

describe('collapse errors', () => {
  it('says what is wrong and changes nothing', async () => {
    const view = new GraphView(rnnSnapshot(3), { elk });
    await expect(view.collapse('group:0')).rejects.toThrow(/open\(\) first/);
    const r = await view.open();
    const g = [...view.expanded][0];
    await view.collapse(g);
    const now = view.current!;
    await expect(view.collapse(g)).rejects.toThrow(`group ${g} is not expanded`);
    await expect(view.collapse('group:999')).rejects.toThrow('no group group:999');
    expect(view.current).toBe(now);
    expect(r.engine).toBe('elk');
  });
});
