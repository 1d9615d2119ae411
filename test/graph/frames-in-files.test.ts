// The CLI's SVG and HTML draw module groups framed as the graph view does: one frame per
// module call, labelled with its name, nested as the modules are, around exactly the boxes
// created inside it; the label alone (no collapse chevron: a file cannot collapse anything).
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { renderGraph } from '../../src/cli/render';
import type { GraphDirection } from '../../src/graph/direction';
import { drawSnapshot } from '../../src/graph/view';
import type { GraphSnapshot } from '../../src/protocol/messages';
import { mlpSnapshot } from './mlp-snapshot';
import { rnnSnapshot } from './rnn-snapshot';

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The frames of an SVG with their labels, read back from the markup. */
function framesOf(svg: string): { label: string; r: Rect }[] {
  const rects = new Map<string, Rect>();
  for (const m of svg.matchAll(
    /<rect class="gl-frame" data-group="([^"]+)" x="([-\d.e]+)" y="([-\d.e]+)" width="([\d.e]+)" height="([\d.e]+)"/g,
  ))
    rects.set(m[1], { x: Number(m[2]), y: Number(m[3]), w: Number(m[4]), h: Number(m[5]) });
  const out: { label: string; r: Rect }[] = [];
  for (const m of svg.matchAll(
    /<g class="gl-frame-header" data-group="([^"]+)"[^>]*><title>[^<]*<\/title><text class="gl-frame-label"[^>]*>([^<]*)<\/text>/g,
  )) {
    const r = rects.get(m[1]);
    expect(r, `the frame of ${m[2]}`).toBeDefined();
    out.push({ label: m[2], r: r! });
  }
  expect(out.length, 'every frame has a label').toBe(rects.size);
  return out;
}

/** The node boxes of an SVG by id. */
function boxesOf(svg: string): Map<string, Rect> {
  const out = new Map<string, Rect>();
  for (const m of svg.matchAll(
    /<g class="gl-node[^"]*" data-id="([^"]+)"[^>]*transform="translate\(([-\d.e]+),([-\d.e]+)\)"><title>[^<]*<\/title><rect width="([\d.e]+)" height="([\d.e]+)"/g,
  ))
    out.set(m[1], { x: Number(m[2]), y: Number(m[3]), w: Number(m[4]), h: Number(m[5]) });
  return out;
}

const within = (a: Rect, b: Rect): boolean =>
  a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
const meets = (a: Rect, b: Rect): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** The one frame labelled `label`. */
function frame(frames: { label: string; r: Rect }[], label: string): Rect {
  const found = frames.filter((f) => f.label === label);
  expect(found, `one frame labelled ${label}`).toHaveLength(1);
  return found[0].r;
}

/** Each module's function nodes inside its frame (and inside its parents'), no other node in it. */
function expectModulesFramed(snapshot: GraphSnapshot, svg: string): void {
  const frames = framesOf(svg);
  const boxes = boxesOf(svg);
  const label = (path: string): string => path.slice(path.lastIndexOf('.') + 1);
  for (const n of snapshot.nodes) {
    if (n.kind !== 'function') continue;
    const box = boxes.get(n.id)!;
    expect(box, n.id).toBeDefined();
    for (const { label: name, r: f } of frames) {
      const member = n.modulePath.some((p) => label(p) === name);
      if (member) expect(within(box, f), `${n.id} inside ${name}`).toBe(true);
      else expect(meets(box, f), `${n.id} outside ${name}`).toBe(false);
    }
  }
}

describe("the CLI's SVG frames module groups", () => {
  for (const direction of ['leaves-top', 'root-top'] as GraphDirection[])
    it(`one labelled frame per module call, nested as the modules are (${direction})`, async () => {
      const snapshot = mlpSnapshot();
      const svg = await drawSnapshot(snapshot, { elk: new ELK(), direction });
      const frames = framesOf(svg);
      expect(frames.map((f) => f.label).sort()).toEqual(
        ['CrossEntropyLoss', 'Net', 'dropout', 'fc1', 'fc2'].sort(),
      );
      for (const inner of ['fc1', 'dropout', 'fc2']) {
        expect(within(frame(frames, inner), frame(frames, 'Net')), `${inner} in Net`).toBe(true);
        expect(meets(frame(frames, inner), frame(frames, 'CrossEntropyLoss'))).toBe(false);
      }
      expectModulesFramed(snapshot, svg);
      // The whole drawing holds every frame.
      const [, w, h] = /^<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
      const [, left, top] = /class="gl-graph" transform="translate\(([\d.]+),([\d.]+)\)"/
        .exec(svg)!
        .map(Number);
      for (const { r: f } of frames) {
        expect(f.x + left).toBeGreaterThanOrEqual(0);
        expect(f.y + top).toBeGreaterThan(0);
        expect(f.x + left + f.w).toBeLessThanOrEqual(w);
        expect(f.y + top + f.h).toBeLessThanOrEqual(h);
      }
    });

  it('has no collapse chevrons; the tooltip names the group and its size', async () => {
    const svg = await drawSnapshot(mlpSnapshot(), { elk: new ELK() });
    expect(svg).not.toContain('gl-chevron');
    expect(svg).not.toContain('gl-frame-toggle');
    expect(svg).not.toContain('Collapse');
    expect(svg).toMatch(
      /<g class="gl-frame-header"[^>]*><title>Net\.fc1 \(4 nodes\)<\/title><text class="gl-frame-label" x="8"/,
    );
  });

  it('frames the unrolled steps of an RNN inside its model', async () => {
    const snapshot = rnnSnapshot(4);
    const svg = await renderGraph(snapshot, 'svg', 'rnn');
    const frames = framesOf(svg);
    const model = frame(frames, 'SeqModel');
    const steps = frames.filter((f) => f.label.startsWith('step #'));
    expect(steps.map((f) => f.label)).toEqual(['1', '2', '3', '4'].map((i) => `step #${i} of 4`));
    for (const s of steps) expect(within(s.r, model)).toBe(true);
  });

  it('the HTML page holds the same framed drawing', async () => {
    const snapshot = mlpSnapshot();
    const html = await renderGraph(snapshot, 'html', 'mlp');
    const svg = /<svg[\s\S]*<\/svg>/.exec(html)![0];
    expect(svg).toBe(await renderGraph(snapshot, 'svg', 'mlp'));
    expect(framesOf(svg)).toHaveLength(5);
  });
});
