// --direction / root-top: the finished layout mirrored top to bottom (agtree2dot's picture),
// with edges still ending on the input ports, which now hang below each box.
import type { ElkNode } from 'elkjs/lib/elk-api';
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/args';
import { PORT_SIZE, toElkGraph } from '../../src/graph/elk';
import { layoutElkGraph, layoutSnapshot, type LayoutEngine } from '../../src/graph/layout';
import type { SvgItem } from '../../src/graph/svg';
import { GraphView, type ViewResult } from '../../src/graph/view';
import { rnnSnapshot } from './rnn-snapshot';

const centreY = (layout: ElkNode, id: string): number => {
  const c = layout.children!.find((n) => n.id === id)!;
  return c.y! + c.height! / 2;
};

describe.each(['elk', 'fast'] as LayoutEngine[])('root-top with the %s layout', (engine) => {
  it('puts the output above the leaves, mirroring the default picture', async () => {
    const snapshot = rnnSnapshot(3);
    const options = { elk: new ELK(), engine };
    const down = await layoutElkGraph(toElkGraph(snapshot), options);
    const up = await layoutElkGraph(toElkGraph(snapshot), { ...options, direction: 'root-top' });
    const leaf = snapshot.nodes.find((n) => n.kind === 'leaf')!.id;
    const out = snapshot.nodes.find((n) => n.kind === 'output')!.id;
    expect(centreY(down, out)).toBeGreaterThan(centreY(down, leaf));
    expect(centreY(up, out)).toBeLessThan(centreY(up, leaf));
    for (const c of down.children!)
      expect(centreY(up, c.id), c.id).toBeCloseTo(down.height! - centreY(down, c.id), 6);
  });

  it('edges into input ports end on the port, now below the box', async () => {
    const up = await layoutElkGraph(toElkGraph(rnnSnapshot(3)), {
      elk: new ELK(),
      engine,
      direction: 'root-top',
    });
    let checked = 0;
    for (const e of up.edges ?? []) {
      const port = e.targets[0];
      if (!port.includes(':in')) continue;
      const c = up.children!.find((n) => n.id === port.split(':in')[0])!;
      const p = c.ports!.find((q) => q.id === port)!;
      expect(p.y, port).toBeCloseTo(c.height!, 6); // hanging below the box, as above it before
      expect(e.sections![0].endPoint.y, e.id).toBeCloseTo(c.y! + p.y! + PORT_SIZE, 6);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

it('the SVG labels bottom ports below the box', async () => {
  const svg = await layoutSnapshot(rnnSnapshot(3), new ELK(), { direction: 'root-top' });
  expect(svg).toMatch(/class="gl-port-label"[^>]* y="\d/);
});

it('gradlens run --direction takes leaves-top or root-top', () => {
  expect(parseRunArgs(['a.ts']).direction).toBe('leaves-top');
  expect(parseRunArgs(['a.ts', '--direction', 'root-top']).direction).toBe('root-top');
  expect(parseRunArgs(['a.ts', '--direction=root-top']).direction).toBe('root-top');
  expect(() => parseRunArgs(['a.ts', '--direction', 'up'])).toThrow(
    '--direction is leaves-top or root-top, got "up"',
  );
});

describe('the graph view in root-top (gradlens.graph.direction)', () => {
  const drawn = (r: ViewResult): Map<string, SvgItem> =>
    new Map(r.parts.items.filter((i) => i.kind === 'node').map((i) => [i.id, i]));
  const mid = (i: SvgItem | undefined): number => i!.y + i!.h / 2;

  it('draws the output above the leaves, and the same boxes as leaves-top mirrored', async () => {
    const snapshot = rnnSnapshot(3);
    const down = await new GraphView(snapshot, { elk: new ELK() }).open();
    const up = await new GraphView(snapshot, { elk: new ELK(), direction: 'root-top' }).open();
    const out = snapshot.nodes.find((n) => n.kind === 'output')!.id;
    const leaf = snapshot.nodes.find((n) => n.kind === 'leaf')!.id;
    expect(mid(drawn(down).get(out))).toBeGreaterThan(mid(drawn(down).get(leaf)));
    expect(mid(drawn(up).get(out))).toBeLessThan(mid(drawn(up).get(leaf)));
    expect([...drawn(up).keys()].sort()).toEqual([...drawn(down).keys()].sort());
  });

  it('expands and collapses in place: boxes above the group stay, boxes below only move down', async () => {
    const view = new GraphView(rnnSnapshot(800), { elk: new ELK(), direction: 'root-top' });
    const before = await view.open();
    const repeat = before.snapshot.nodes.find((n) => n.name.includes('×800'))!.id;
    const box = drawn(before).get(repeat)!;
    const after = view.expand(repeat);
    expect(after.engine).toBe('incremental');
    const now = drawn(after);
    let above = 0;
    let below = 0;
    for (const [id, was] of drawn(before)) {
      const is = now.get(id);
      if (is === undefined) continue;
      if (was.y + was.h <= box.y) {
        expect([is.x, is.y], id).toEqual([was.x, was.y]);
        above++;
      } else if (was.y >= box.y + box.h) {
        expect(is.y, id).toBeGreaterThanOrEqual(was.y);
        below++;
      }
    }
    expect(above).toBeGreaterThan(0);
    expect(below).toBeGreaterThan(0);
    // Collapsing right after brings back the picture from before.
    const back = await view.collapse(repeat);
    expect(back.parts.items.map((i) => [i.id, i.x, i.y])).toEqual(
      before.parts.items.map((i) => [i.id, i.x, i.y]),
    );
  });
});
