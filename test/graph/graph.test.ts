// The pure graph code: ELK input with fixed-order ports, DOT that Graphviz accepts, SVG
// markup, collapsing. The snapshot is a small hand-written one in PyTorch's shape.
import { execFileSync } from 'node:child_process';
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import {
  collapseByModule,
  fastLayout,
  limitSnapshot,
  renderSvg,
  slimSnapshot,
  toDot,
  toElkGraph,
  graphEdges,
} from '../../src/graph/index';
import { formatValues, nodeLines } from '../../src/graph/labels';
import {
  encodeNum,
  validateSnapshot,
  type GraphNode,
  type GraphSnapshot,
  type TensorSummary,
} from '../../src/protocol/messages';

const t = (first: number[], nan = 0): TensorSummary => ({
  shape: [first.length],
  dtype: 'float32',
  numel: first.length,
  first: first.map(encodeNum),
  min: Math.min(...first.filter((x) => !Number.isNaN(x))),
  max: Math.max(...first.filter((x) => !Number.isNaN(x))),
  mean: 0,
  nanCount: nan,
  infCount: 0,
});
const node = (p: Partial<GraphNode> & Pick<GraphNode, 'id' | 'kind' | 'name'>): GraphNode => ({
  next: [],
  value: null,
  grad: null,
  location: null,
  modulePath: [],
  attachedTo: null,
  sequenceNr: -1,
  ...p,
});

// nn.Linear: AddmmBackward0 [AccumulateGrad(bias), null, TBackward0 -> AccumulateGrad(weight)].
const linear: GraphSnapshot = {
  index: 1,
  trigger: 'backward',
  outputs: ['out'],
  anomalies: [],
  collapsed: false,
  detail: 'full',
  nodes: [
    node({
      id: 'sum',
      kind: 'function',
      name: 'SumBackward0',
      next: [{ id: 'addmm', inputNr: 0 }],
      sequenceNr: 3,
      modulePath: [],
    }),
    node({
      id: 'addmm',
      kind: 'function',
      name: 'AddmmBackward0',
      next: [{ id: 'accB', inputNr: 0 }, null, { id: 't', inputNr: 0 }],
      sequenceNr: 2,
      modulePath: ['Linear'],
      value: t([1, NaN], 1),
    }),
    node({
      id: 'accB',
      kind: 'accumulate',
      name: 'torch::autograd::AccumulateGrad',
      modulePath: ['Linear'],
    }),
    node({
      id: 'b',
      kind: 'leaf',
      name: 'bias',
      attachedTo: 'accB',
      value: t([0.5]),
      grad: t([2]),
      modulePath: ['Linear'],
    }),
    node({
      id: 't',
      kind: 'function',
      name: 'TBackward0',
      next: [{ id: 'accW', inputNr: 0 }],
      sequenceNr: 1,
      modulePath: ['Linear'],
    }),
    node({
      id: 'accW',
      kind: 'accumulate',
      name: 'torch::autograd::AccumulateGrad',
      modulePath: ['Linear'],
    }),
    node({
      id: 'w',
      kind: 'leaf',
      name: 'weight',
      attachedTo: 'accW',
      value: t([1, 2]),
      grad: t([3, 4]),
      modulePath: ['Linear'],
    }),
    node({ id: 'out', kind: 'output', name: 'loss', attachedTo: 'sum', value: t([1]) }),
  ],
};

describe('graph', () => {
  it('the example snapshot is valid protocol', () => {
    expect(validateSnapshot(JSON.parse(JSON.stringify(linear)))).toEqual(
      JSON.parse(JSON.stringify(linear)),
    );
    expect(() => validateSnapshot({ ...linear, outputs: ['nope'] })).toThrow(/unknown node nope/);
  });

  it('edges carry the nextFunctions slot; null slots have no edge', () => {
    const e = graphEdges(linear).filter((x) => x.target === 'addmm');
    expect(e.map((x) => [x.source, x.port])).toEqual([
      ['accB', 0],
      ['t', 2],
    ]);
  });

  it('ELK input: layered, top-down, one fixed-order input port per slot', async () => {
    const g = toElkGraph(linear);
    expect(g.layoutOptions).toMatchObject({ 'elk.algorithm': 'layered', 'elk.direction': 'DOWN' });
    const addmm = g.children!.find((c) => c.id === 'addmm')!;
    expect(addmm.layoutOptions!['elk.portConstraints']).toBe('FIXED_ORDER');
    expect(addmm.ports!.filter((p) => p.id.includes(':in')).map((p) => p.id)).toEqual([
      'addmm:in0',
      'addmm:in1',
      'addmm:in2',
    ]);
    const laid = await new ELK().layout(g);
    const ports = laid
      .children!.find((c) => c.id === 'addmm')!
      .ports!.filter((p) => p.id.includes(':in'));
    // Fixed order: port i is left of port i+1 on the top side.
    expect(ports.map((p) => p.x!)).toEqual([...ports.map((p) => p.x!)].sort((a, b) => a - b));
    expect(ports.every((p) => p.y! <= 0)).toBe(true);
    const svg = renderSvg(linear, laid);
    expect(svg).toContain('AddmmBackward0');
    expect(svg).toContain('gl-flagged');
    expect(svg).toContain('weight (2,)');
  });

  it('DOT output is accepted by Graphviz dot unchanged', () => {
    const dot = toDot(linear);
    const svg = execFileSync('/usr/bin/dot', ['-Tsvg'], { input: dot }).toString();
    expect(svg).toContain('AddmmBackward0');
    expect(svg).toContain('AccumulateGrad');
    // Graphviz's own check of the parsed graph: node and edge counts.
    const stats = execFileSync('/usr/bin/gc', ['-n', '-e'], { input: dot }).toString();
    expect(stats).toMatch(/^\s*8\s+7\s+gradlens/);
  });

  it('collapses by module and keeps edges between groups', () => {
    const c = collapseByModule(linear, 1);
    expect(c.collapsed).toBe(true);
    const group = c.nodes.find((n) => n.id === 'module:Linear')!;
    expect(group.name).toBe('Linear (4 nodes)');
    expect(c.nodes.find((n) => n.id === 'sum')!.next).toEqual([
      { id: 'module:Linear', inputNr: 0 },
    ]);
    expect(c.nodes.some((n) => n.kind === 'leaf')).toBe(false);
    expect(validateSnapshot(c).nodes.length).toBe(3);
    expect(limitSnapshot(linear, 100)).toBe(linear);
    expect(limitSnapshot(linear, 3).nodes.length).toBeLessThanOrEqual(3);
  });
});

describe('slimSnapshot (what the graph view is sent)', () => {
  const long = (n: number): TensorSummary => ({
    ...t(Array.from({ length: n }, (_, i) => 1 / (i + 3))),
    mean: 0.123456789123,
  });
  const big: GraphSnapshot = {
    ...linear,
    nodes: linear.nodes.map((n) => (n.id === 'w' ? { ...n, value: long(12), grad: long(5) } : n)),
  };

  it('draws the same boxes and details text, and is valid protocol', () => {
    const slim = slimSnapshot(big);
    expect(validateSnapshot(JSON.parse(JSON.stringify(slim)))).toBeDefined();
    big.nodes.forEach((n, i) => {
      expect(nodeLines(slim.nodes[i]), n.id).toEqual(nodeLines(n));
      for (const k of ['value', 'grad'] as const) {
        if (n[k] !== null)
          expect(formatValues(slim.nodes[i][k]!), `${n.id} ${k}`).toBe(formatValues(n[k]));
      }
    });
    expect(renderSvg(slim, fastLayout(toElkGraph(slim)))).toBe(
      renderSvg(big, fastLayout(toElkGraph(big))),
    );
  });

  it('drops the first elements the view never shows and digits it never prints', () => {
    const w = slimSnapshot(big).nodes.find((n) => n.id === 'w')!;
    expect(w.value!.first).toEqual([]);
    expect(w.grad!.first).toEqual([]);
    expect(w.value!.mean).toBe(0.1234568);
    expect(w.value!.numel).toBe(12);
    // Four elements or fewer are shown, so they stay (rounded).
    const b = slimSnapshot(big).nodes.find((n) => n.id === 'b')!;
    expect(b.value!.first).toEqual([0.5]);
    // The host's snapshot is not touched.
    expect(big.nodes.find((n) => n.id === 'w')!.value!.first.length).toBe(12);
  });
});

describe('display names', () => {
  it('drop the C++ namespace of node classes, as torchviz shows them', () => {
    const copy = node({ id: 'c', kind: 'function', name: 'torch::autograd::CopySlices' });
    const acc = node({ id: 'a', kind: 'accumulate', name: 'torch::autograd::AccumulateGrad' });
    expect(nodeLines(copy)[0]).toBe('CopySlices');
    expect(nodeLines(acc)[0]).toBe('AccumulateGrad');
    expect(nodeLines(node({ id: 'm', kind: 'function', name: 'MulBackward0' }))[0]).toBe(
      'MulBackward0',
    );
  });
});
