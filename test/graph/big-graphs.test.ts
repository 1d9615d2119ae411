// Big graphs: the fast layered layout (deterministic, no overlaps, edges on their numbered
// ports, top-down), the ELK/fast policy, the group tree of an unrolled RNN, its collapsed
// view and the stable expansion. Timing is measured by bench/graph-layout.ts, not here.
import type { ElkNode } from 'elkjs/lib/elk-api';
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { PORT_SIZE, inPortId } from '../../src/graph/elk';
import {
  ELK_MAX_NODES,
  GraphView,
  drawSnapshot,
  chooseEngine,
  fastLayout,
  groupTree,
  isGroupId,
  joinSvg,
  layoutSnapshot,
  limitSnapshot,
  overlaps,
  renderSvg,
  renderSvgParts,
  toDot,
  toElkGraph,
  viewSnapshot,
} from '../../src/graph/index';
import { validateSnapshot, type GraphNode, type GraphSnapshot } from '../../src/protocol/messages';
import { rnnSnapshot } from './rnn-snapshot';

/** Every edge into a numbered port ends on that port (its top centre); ports run left to right in slot order. */
function expectEdgesOnPorts(snapshot: GraphSnapshot, layout: ElkNode): void {
  const byId = new Map((layout.children ?? []).map((c) => [c.id, c]));
  for (const n of snapshot.nodes) {
    const c = byId.get(n.id);
    if (c === undefined) continue;
    const xs = n.next.map((_, slot) => c.ports!.find((p) => p.id === inPortId(n.id, slot))!.x!);
    expect(xs, `ports of ${n.id} in slot order`).toEqual([...xs].sort((a, b) => a - b));
    expect(new Set(xs).size).toBe(xs.length);
  }
  let checked = 0;
  for (const e of layout.edges ?? []) {
    const [node, port] = [e.targets[0].split(':in')[0], e.targets[0]];
    if (!port.includes(':in')) continue;
    const c = byId.get(node)!;
    const p = c.ports!.find((q) => q.id === port)!;
    const end = e.sections![0].endPoint;
    expect(end.x, e.id).toBeCloseTo(c.x! + p.x! + PORT_SIZE / 2, 6);
    expect(end.y, e.id).toBeCloseTo(c.y! + p.y!, 6);
    checked++;
  }
  expect(checked).toBeGreaterThan(0);
}

/** Routes are orthogonal: consecutive points share an x or a y. */
function expectOrthogonal(layout: ElkNode): void {
  for (const e of layout.edges ?? []) {
    for (const s of e.sections ?? []) {
      const pts = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
      for (let i = 1; i < pts.length; i++)
        expect(pts[i].x === pts[i - 1].x || pts[i].y === pts[i - 1].y, e.id).toBe(true);
    }
  }
}

describe('fast layered layout', () => {
  const small = rnnSnapshot(3);

  it('is deterministic', () => {
    const a = JSON.stringify(fastLayout(toElkGraph(rnnSnapshot(40))));
    const b = JSON.stringify(fastLayout(toElkGraph(rnnSnapshot(40))));
    expect(a).toBe(b);
  });

  it('places every node without overlaps, top-down along the edges', () => {
    const g = toElkGraph(rnnSnapshot(40));
    const laid = fastLayout(g);
    expect(laid.children!.length).toBe(g.children!.length);
    expect(overlaps(laid.children!)).toBe(false);
    const byId = new Map(laid.children!.map((c) => [c.id, c]));
    for (const e of laid.edges!) {
      const s = byId.get(e.sources[0].split(':')[0])!;
      const t = byId.get(e.targets[0].split(':')[0])!;
      expect(s.y! + s.height!, e.id).toBeLessThan(t.y!);
    }
  });

  it('ends every edge on its numbered input port, ports in slot order, orthogonal routes', () => {
    const laid = fastLayout(toElkGraph(small));
    expectEdgesOnPorts(small, laid);
    expectOrthogonal(laid);
  });

  it('draws through the unchanged SVG renderer', () => {
    const svg = renderSvg(small, fastLayout(toElkGraph(small)));
    expect(svg).toContain('AddmmBackward0');
    expect(svg.match(/class="gl-port"/g)!.length).toBe(
      small.nodes.reduce((s, n) => s + n.next.length, 0),
    );
  });

  it('draws in pieces: every node, proxy and edge an item where the layout put it, lite boxes keeping their ids', () => {
    const laid = fastLayout(toElkGraph(small));
    const parts = renderSvgParts(small, laid);
    expect(joinSvg(parts)).toBe(renderSvg(small, laid));
    expect(parts.items.filter((it) => it.kind === 'edge').length).toBe(laid.edges!.length);
    for (const c of laid.children!) {
      const it = parts.items.find((i) => i.kind !== 'edge' && i.x === c.x && i.y === c.y);
      expect(it, c.id).toBeDefined();
      expect([it!.w, it!.h]).toEqual([c.width, c.height]);
    }
    for (const e of laid.edges!) {
      const it = parts.items.find((i) => i.kind === 'edge' && i.id === e.id)!;
      for (const p of [e.sections![0].startPoint, e.sections![0].endPoint]) {
        expect(
          p.x >= it.x && p.x <= it.x + it.w && p.y >= it.y && p.y <= it.y + it.h,
          `${e.id} box`,
        ).toBe(true);
      }
    }
    // Far out, boxes lose text, ports and tooltips but stay clickable and searchable.
    const lite = joinSvg(parts, parts.items, true);
    const node = parts.items.find((i) => i.kind === 'node' && i.name === 'AddmmBackward0')!;
    expect(lite).toContain(`data-id="${node.id}" data-name="AddmmBackward0"`);
    expect(lite).not.toContain('<title>');
    expect(lite).not.toContain('class="gl-port"');
    const nodes = parts.items.filter((i) => i.kind === 'node');
    expect(nodes.reduce((n, i) => n + i.lite!.length, 0)).toBeLessThan(
      nodes.reduce((n, i) => n + i.markup.length, 0) / 2,
    );
  });

  it('lays out a 10,000-node graph', () => {
    const big = rnnSnapshot(800);
    expect(big.nodes.length).toBeGreaterThan(9600);
    const laid = fastLayout(toElkGraph(big));
    expect(laid.children!.every((c) => Number.isFinite(c.x) && Number.isFinite(c.y))).toBe(true);
    expect(overlaps(laid.children!)).toBe(false);
    expectEdgesOnPorts(big, laid);
  });

  it('stops at the next phase when cancelled, and reports progress', () => {
    const phases: string[] = [];
    const ac = new AbortController();
    expect(() =>
      fastLayout(toElkGraph(small), {
        signal: ac.signal,
        onProgress: (p) => {
          phases.push(p.phase);
          if (p.phase === 'order') ac.abort(new Error('cancelled by user'));
        },
      }),
    ).toThrow('cancelled by user');
    expect(phases).toEqual(['layers', 'order']);
  });
});

describe('unrolled steps', () => {
  it('run top to bottom in one column, not off to the side (proxies beside each step push nothing)', () => {
    const s = rnnSnapshot(200);
    const tree = groupTree(s);
    const open = [...tree.groups.values()].filter((g) => g.kind !== 'step').map((g) => g.id);
    const view = viewSnapshot(s, tree, new Set(open));
    const steps = new Set(view.nodes.filter((n) => n.name.startsWith('step #')).map((n) => n.id));
    expect(steps.size).toBe(200);
    const laid = fastLayout(toElkGraph(view));
    const xs = laid.children!.filter((c) => steps.has(c.id)).map((c) => c.x!);
    const w = Math.max(...laid.children!.filter((c) => steps.has(c.id)).map((c) => c.width!));
    expect(Math.max(...xs) - Math.min(...xs)).toBeLessThan(6 * w);
    expect(laid.height!).toBeGreaterThan(5 * laid.width!);
  });
});

describe('layout policy', () => {
  it('ELK up to the threshold, the fast layout above it or without ELK', async () => {
    expect(chooseEngine(toElkGraph(rnnSnapshot(3)), true)).toBe('elk');
    const big = toElkGraph(rnnSnapshot(40));
    expect(big.children!.length).toBeGreaterThan(ELK_MAX_NODES);
    expect(chooseEngine(big, true)).toBe('fast');
    expect(chooseEngine(toElkGraph(rnnSnapshot(3)), false)).toBe('fast');
    const svg = await layoutSnapshot(rnnSnapshot(3), new ELK());
    expect(svg).toContain('TanhBackward0');
  });
});

describe('group tree and collapsed view', () => {
  const rnn = rnnSnapshot(800);

  it('finds each module call and the repeated step of the unrolled RNN', () => {
    const tree = groupTree(rnn);
    const reps = [...tree.groups.values()].filter((g) => g.kind === 'repeat');
    expect(reps.map((g) => [g.count, g.size])).toEqual([[800, 9600]]);
    const steps = reps[0].items.map((id) => tree.groups.get(id)!);
    expect(steps.every((s) => s.kind === 'step' && s.size === 12)).toBe(true);
    // Each step: one cell call (itself two Linear calls and two ops), one head call, four ops.
    const first = steps[0].items.map((id) =>
      isGroupId(id) ? tree.groups.get(id)!.label : rnn.nodes.find((n) => n.id === id)!.name,
    );
    expect(first).toEqual([
      'SeqModel.cell',
      'SeqModel.head',
      'SubBackward0',
      'PowBackward0',
      'SumBackward0',
      'AddBackward0',
    ]);
    const cells = [...tree.groups.values()].filter(
      (g) => g.kind === 'call' && g.label === 'SeqModel.cell',
    );
    expect(cells.length).toBe(800);
    // Weights used at every step sit beside the repeat, not inside one step.
    const acc = rnn.nodes.find((n) => n.kind === 'accumulate')!;
    expect(tree.groups.get(tree.groupOf.get(acc.id)!)!.label).toBe('SeqModel');
  });

  it('orders nodes by creation whatever their order in the snapshot and their numbers', () => {
    const small = rnnSnapshot(30);
    const tree = (s: GraphSnapshot): string => {
      const t = groupTree(s);
      return JSON.stringify([...t.groups.values(), ...t.groupOf, t.roots]);
    };
    // Snapshot order is not creation order (function nodes sorted, the rest float as listed).
    const reversed = { ...small, nodes: [...small.nodes].reverse() };
    // Sequence numbers past what packs into one number with a node's position (a long run's).
    const late = {
      ...reversed,
      nodes: reversed.nodes.map((n) =>
        n.kind === 'function' ? { ...n, sequenceNr: n.sequenceNr + 2 ** 40 } : n,
      ),
    };
    expect(tree(late)).toBe(tree(reversed));
    const steps = [...groupTree(reversed).groups.values()].filter((g) => g.kind === 'repeat');
    expect(steps.map((g) => g.count)).toEqual([30]);
  });

  it('gathers nn.Sequential layers of the same structure (numbered names) into one repeat', () => {
    // Net.layers.0 .. Net.layers.5, each an AddmmBackward0 and a ReluBackward0.
    let seq = 0;
    const nodes: GraphNode[] = [];
    let prev: string | null = null;
    for (let l = 0; l < 6; l++) {
      const path = ['Net', 'Net.layers', `Net.layers.${l}`];
      const mm = `mm${l}`;
      nodes.push({
        id: mm,
        kind: 'function',
        name: 'AddmmBackward0',
        next: [null, prev === null ? null : { id: prev, inputNr: 0 }, null],
        value: null,
        grad: null,
        location: null,
        modulePath: path,
        attachedTo: null,
        sequenceNr: seq++,
      });
      nodes.push({
        id: `relu${l}`,
        kind: 'function',
        name: 'ReluBackward0',
        next: [{ id: mm, inputNr: 0 }],
        value: null,
        grad: null,
        location: null,
        modulePath: path,
        attachedTo: null,
        sequenceNr: seq++,
      });
      prev = `relu${l}`;
    }
    const tree = groupTree({
      index: 1,
      trigger: 'backward',
      nodes,
      outputs: [],
      anomalies: [],
      collapsed: false,
      detail: 'full',
    });
    const rep = [...tree.groups.values()].find((g) => g.kind === 'repeat')!;
    expect([rep.label, rep.count, rep.size]).toEqual(['Net.layers.0 … Net.layers.5', 6, 12]);
    // One call per step: the calls themselves are the steps.
    expect(rep.items.map((id) => tree.groups.get(id)!.label)).toEqual(
      [0, 1, 2, 3, 4, 5].map((l) => `Net.layers.${l}`),
    );
  });

  it('splits back-to-back calls of one module by their call numbers (one group without them)', () => {
    const nodes: GraphNode[] = [];
    let prev: string | null = null;
    for (let t = 0; t < 4; t++) {
      for (const name of ['AddmmBackward0', 'TanhBackward0']) {
        const id = `${name}${t}`;
        nodes.push({
          id,
          kind: 'function',
          name,
          next: [prev === null ? null : { id: prev, inputNr: 0 }],
          value: null,
          grad: null,
          location: null,
          modulePath: ['Net', 'Net.cell'],
          moduleCalls: [0, t + 1],
          attachedTo: null,
          sequenceNr: nodes.length,
        });
        prev = id;
      }
    }
    const snap = (ns: GraphNode[]): GraphSnapshot => ({
      index: 1,
      trigger: 'backward',
      nodes: ns,
      outputs: [],
      anomalies: [],
      collapsed: false,
      detail: 'full',
    });
    const cells = (ns: GraphNode[]) =>
      [...groupTree(snap(ns)).groups.values()].filter(
        (g) => g.kind === 'call' && g.label === 'Net.cell',
      );
    expect(cells(nodes)).toHaveLength(4);
    expect(
      [...groupTree(snap(nodes)).groups.values()].find((g) => g.kind === 'repeat')?.count,
    ).toBe(4);
    expect(cells(nodes.map((n) => ({ ...n, moduleCalls: undefined })))).toHaveLength(1);
    expect(validateSnapshot(JSON.parse(JSON.stringify(snap(nodes)))).nodes[0].moduleCalls).toEqual([
      0, 1,
    ]);
    expect(() =>
      validateSnapshot(snap([{ ...nodes[0], next: [], moduleCalls: [0.5] as number[] }])),
    ).toThrow(/moduleCalls\[0\]/);
  });

  it('opens collapsed with far fewer nodes, as a valid snapshot', async () => {
    const view = new GraphView(rnn);
    const r = await view.open();
    expect(r.snapshot.nodes.length).toBeLessThan(50);
    expect(r.snapshot.nodes.length * 100).toBeLessThan(rnn.nodes.length);
    expect(r.snapshot.nodes.some((n) => n.name.includes('×800'))).toBe(true);
    expect(validateSnapshot(JSON.parse(JSON.stringify(r.snapshot))).nodes.length).toBe(
      r.snapshot.nodes.length,
    );
    expect(joinSvg(r.parts)).toContain('gl-group');
    expectEdgesOnPorts(r.snapshot, r.layout);
  });

  it('expands a group in place: outside nodes stay put or move only down or right', async () => {
    // Opened with ELK (the collapsed view is small), expanded by the fast layout.
    const view = new GraphView(rnn, { elk: new ELK() });
    let prev = await view.open();
    expect(prev.engine).toBe('elk');
    // The repeat (800 steps), then one step, then the cell call inside it.
    const repeat = prev.snapshot.nodes.find((n) => n.name.includes('×800'))!.id;
    const step = () => view.current!.snapshot.nodes.find((n) => n.name.startsWith('step #2 '))!.id;
    const cell = () =>
      view.current!.snapshot.nodes.find(
        (n) =>
          n.name.startsWith('SeqModel.cell (') &&
          view.isInside(n.id, view.tree.groups.get(step2)!.id),
      )!.id;
    let step2 = '';
    for (const pick of [() => repeat, () => (step2 = step()), () => cell()]) {
      const id = pick();
      const box = prev.layout.children!.find((c) => c.id === id)!;
      const next = view.expand(id);
      expect(next.engine).toBe('incremental');
      expect(overlaps(next.layout.children!)).toBe(false);
      expectEdgesOnPorts(next.snapshot, next.layout);
      const now = new Map(next.layout.children!.map((c) => [c.id, c]));
      const moves = new Set<string>();
      let outside = 0;
      for (const c of prev.layout.children!) {
        const d = now.get(c.id);
        if (c.id === id || d === undefined) continue;
        outside++;
        const dx = d.x! - c.x!;
        const dy = d.y! - c.y!;
        expect(dx === 0 || dy === 0, `${c.id} moved diagonally`).toBe(true);
        expect(dx >= 0 && dy >= 0, `${c.id} moved up or left`).toBe(true);
        if (c.y! + c.height! <= box.y!) expect([dx, dy], `${c.id} above the box`).toEqual([0, 0]);
        moves.add(`${dx.toFixed(3)},${dy.toFixed(3)}`);
      }
      expect(outside).toBeGreaterThan(0);
      // One shift down and one right at most: rigid moves, nothing rearranged.
      expect(moves.size, [...moves].join(' ')).toBeLessThanOrEqual(3);
      expect(next.snapshot.nodes.length).toBeGreaterThan(prev.snapshot.nodes.length);
      prev = next;
    }
  });

  it('limits a big snapshot for the CLI to the node budget, its ×800 repeat one box', () => {
    const limited = limitSnapshot(rnn, 2000);
    expect(limited.collapsed).toBe(true);
    expect(limited.nodes.length).toBeLessThanOrEqual(2000);
    validateSnapshot(JSON.parse(JSON.stringify(limited)));
    // 800 step boxes would fit the budget, but nobody reads a row of 800 boxes.
    expect(limited.nodes.filter((n) => n.name.startsWith('step #'))).toEqual([]);
    expect(limited.nodes.filter((n) => n.name.includes('×800'))).toHaveLength(1);
  });

  it('a limited snapshot keeps its groups: frames, names and the ×800 repeat as a group box', async () => {
    const limited = validateSnapshot(JSON.parse(JSON.stringify(limitSnapshot(rnn, 2000))));
    const tree = groupTree(limited);
    const repeat = [...tree.groups.values()].find((g) => g.kind === 'repeat')!;
    expect([repeat.count, repeat.size, repeat.items]).toEqual([800, 9600, []]);
    expect(limited.nodes.map((n) => n.id)).toContain(repeat.id);
    const model = tree.groups.get(repeat.parent!)!;
    expect([model.kind, model.label]).toEqual(['call', 'SeqModel']);
    expect(model.items).toContain(repeat.id);
    // Every node but the output lies in the SeqModel call, as in the graph view.
    expect(limited.nodes.filter((n) => tree.groupOf.get(n.id) === null).map((n) => n.kind)).toEqual(
      ['output'],
    );
    const svg = await drawSnapshot(limited, { elk: new ELK() });
    expect(svg).toMatch(/class="gl-frame-label"[^>]*>SeqModel</);
    expect(svg).toContain('×800 (9,600 nodes)');
    const dot = toDot(limited);
    expect(dot).toContain(`subgraph "cluster_${model.id}" {`);
    expect(dot).toContain('label="SeqModel";');
    expect(dot).toMatch(
      /"group:\d+" \[label="SeqModel\.cell, [^"]*×800 \(9,600 nodes\)[^\]]*dashed/,
    );
    // Shown as it is: the box stays one box; its contents were left out.
    const view = new GraphView(limited);
    const opened = await view.open();
    expect(opened.snapshot.nodes.map((n) => n.id).sort()).toEqual(
      limited.nodes.map((n) => n.id).sort(),
    );
    expect(() => view.expand(repeat.id)).toThrow(/left collapsed when the graph was cut/);
    // Cut to the nodes nearest the outputs instead, it has no groups to show.
    expect(groupTree(limitSnapshot(rnn, 1)).groups.size).toBe(0);
  });
});
